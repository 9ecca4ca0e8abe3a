/**
 * Under jsdom, Blob, File and FormData are Node's: the classes of the fetch, Request and Response
 * the tests' requests go through (jsdom has no fetch, so those stay Node's).
 *
 * Why: vitest's jsdom environment puts jsdom's Blob, File and FormData on the global. The undici
 * in Node 24.6+ (undici 7, nodejs/undici#4362) looks `Blob` and `File` up on the global when it
 * builds one (`response.blob()`, a multipart `request.formData()`, `FormData#append` with a
 * name) yet brand-checks them against its own classes. Mixed, `response.blob()` hands back a
 * jsdom Blob without `.text()`, a multipart upload fails undici's own assertion (msw answers
 * 500), and a jsdom File appended to Node's FormData loses its name and bytes. Node 20's undici
 * imported its classes, which is why the mix went unseen there. A browser has one set of
 * classes; so does the test realm now. Runs in every test file and does nothing outside jsdom.
 */
import { Blob as NodeBlob, File as NodeFile } from 'node:buffer';

if (typeof window !== 'undefined' && typeof document !== 'undefined') {
  // Node's FormData is not importable; Response is Node's (jsdom has none), and its formData()
  // answers Node's class.
  const NodeFormData = (await new Response(new URLSearchParams()).formData()).constructor as typeof FormData;
  Object.assign(globalThis, { Blob: NodeBlob, File: NodeFile, FormData: NodeFormData });
}
