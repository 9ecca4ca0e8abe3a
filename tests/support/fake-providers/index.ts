/**
 * Loopback fakes of the OpenAI and Anthropic HTTP APIs for tests, e2e runs and load tests.
 *
 *   const openai = await startFakeOpenAI();
 *   openai.script({ text: 'Hi there', chunks: 3, usage: { promptTokens: 12 } });
 *   new OpenAI({ apiKey: 'sk-test', baseURL: openai.url });
 *   openai.requests[0].body; openai.aborts; await openai.close();
 */
export { startFakeAnthropic } from './fake-anthropic';
export { FLAGGED_MARKER, startFakeOpenAI } from './fake-openai';
export type { FakeProviderOptions, FakeProviderServer } from './loopback-server';
export type { FakeHttpError, FakeReply, FakeToolCall, FakeUsage, RecordedRequest } from './script';
export { createMarkerReplies, lastUserText, MARKERS, parseMarkers, plainTextOf, type Marker, type MarkerRepliesOptions } from './markers';
