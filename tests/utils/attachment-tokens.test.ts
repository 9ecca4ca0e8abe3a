import { describe, expect, it } from 'vitest';
import { estimateAttachmentTokens } from '@/features/ai-chat/providers/attachment-tokens';

const image = (width: number, height: number) => ({ mediaType: 'image/png' as const, width, height, pages: null });

describe('attachment token estimates', () => {
  it("Claude: width × height / 750, after fitting 1568 px, never over ~1,600 an image", () => {
    expect(estimateAttachmentTokens('anthropic', 'claude-sonnet-4-5', image(200, 200))).toBe(54);
    expect(estimateAttachmentTokens('anthropic', 'claude-sonnet-4-5', image(1000, 1000))).toBe(1334);
    expect(estimateAttachmentTokens('anthropic', 'claude-sonnet-4-5', image(4000, 3000))).toBe(1600);
  });

  it("OpenAI tiles: OpenAI's own worked examples (1024² → 765, 2048×4096 → 1105 on GPT-4o)", () => {
    expect(estimateAttachmentTokens('openai', 'gpt-4o', image(1024, 1024))).toBe(765);
    expect(estimateAttachmentTokens('openai', 'gpt-4o', image(2048, 4096))).toBe(1105);
    expect(estimateAttachmentTokens('openai', 'gpt-5', image(1024, 1024))).toBe(70 + 140 * 4);
    expect(estimateAttachmentTokens('openai', 'some-compatible-model', image(512, 512))).toBe(85 + 170);
  });

  it('OpenAI patches for the small models: 32 px patches, at most 1,536, times the model multiplier', () => {
    expect(estimateAttachmentTokens('openai', 'gpt-5-mini', image(1024, 1024))).toBe(Math.ceil(1024 * 1.62));
    expect(estimateAttachmentTokens('openai', 'gpt-5-mini', image(4096, 4096))).toBeLessThanOrEqual(Math.ceil(1536 * 1.62));
  });

  it('a PDF costs about 2,000 tokens a page with either provider; an image of unknown size the most one can', () => {
    const report = { mediaType: 'application/pdf' as const, width: null, height: null, pages: 3 };
    expect(estimateAttachmentTokens('anthropic', 'claude-sonnet-4-5', report)).toBe(6000);
    expect(estimateAttachmentTokens('openai', 'gpt-4o', report)).toBe(6000);
    expect(estimateAttachmentTokens('anthropic', 'claude-sonnet-4-5', { ...report, pages: null })).toBe(2000);
    expect(estimateAttachmentTokens('anthropic', 'x', { mediaType: 'image/gif', width: null, height: null, pages: null })).toBe(1600);
  });
});
