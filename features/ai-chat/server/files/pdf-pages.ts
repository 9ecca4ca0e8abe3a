import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { deflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFObjectParser,
  PDFParser,
  PDFRawStream,
  PDFRef,
  PDFXRefStreamParser,
  decodePDFRawStream,
  type PDFObject,
} from 'pdf-lib';

/**
 * A PDF's page count, read by a PDF parser (pdf-lib's) rather than by matching text: names written
 * with `#` escapes (`/P#61ges`), page trees packed in compressed object streams and found through
 * cross-reference streams are read as a PDF reader reads them. The count holds the page cap and a
 * turn's reservation, so a file whose pages cannot be counted gets null and is refused.
 *
 * A hostile file must not hang or exhaust the server: the parse yields to the event loop every
 * OBJECTS_PER_TICK objects, the bytes its streams may inflate to are bounded, the page-tree walk
 * stops at a loop or past MAX_TREE_NODES, and the whole parse stops at PARSE_DEADLINE_MS.
 */
export async function countPdfPages(bytes: Uint8Array): Promise<number | null> {
  const budget: ParseBudget = { inflatedBytes: 0, deadline: Date.now() + PARSE_DEADLINE_MS, invalidObjects: 0 };
  try {
    const context = await parseBudget.run(budget, () => {
      const parser = PDFParser.forBytesWithOptions(bytes, OBJECTS_PER_TICK, false, true);
      // Asked after every object parsed: the place to stop a parse past its deadline.
      const ticking = parser as unknown as { shouldWaitForTick: () => boolean };
      const shouldWaitForTick = ticking.shouldWaitForTick;
      ticking.shouldWaitForTick = () => {
        if (Date.now() > budget.deadline) throw new ParseBoundExceeded('parse took too long');
        return shouldWaitForTick();
      };
      return parser.parseDocument();
    });
    return countTreePages(context);
  } catch {
    // Unparseable, past a bound, or a stack too deep: a file we cannot count.
    return null;
  }
}

const OBJECTS_PER_TICK = 200;
/** What all of a file's decoded streams (object and cross-reference streams) may add up to. */
export const MAX_INFLATED_BYTES = 48 * 1024 * 1024;
/** Far above an honest 32 MB file's parse (about 2 s here), a backstop for a hostile one. */
const PARSE_DEADLINE_MS = 15_000;
const MAX_TREE_NODES = 100_000;
/** A page count past any cap a host would set; a larger declared `/Count` is read as this. */
const MAX_DECLARED_PAGES = 1_000_000;

/** Damaged objects a parse skips over before the file is taken as uncountable. */
const MAX_INVALID_OBJECTS = 1_000;

interface ParseBudget {
  inflatedBytes: number;
  deadline: number;
  invalidObjects: number;
}

const parseBudget = new AsyncLocalStorage<ParseBudget>();

class ParseBoundExceeded extends Error {}

function charge(budget: ParseBudget, bytes: number): void {
  budget.inflatedBytes += bytes;
  if (budget.inflatedBytes > MAX_INFLATED_BYTES) throw new ParseBoundExceeded('streams inflate past the bound');
  if (Date.now() > budget.deadline) throw new ParseBoundExceeded('parse took too long');
}

/**
 * pdf-lib inflates object and cross-reference streams whole and with no bound, so its buffer
 * growth is metered, but only inside countPdfPages' parse (its async context): anyone else using
 * pdf-lib in this process sees it unchanged. Its cross-reference stream entries, which it parses
 * and then discards, are skipped in that parse: their count comes from the file (`/Index`), so a
 * hostile one could ask for billions. Its warnings (a line per damaged object or oversized
 * number, which a hostile 32 MB file could repeat a million times into the server's log) are
 * silenced for the length of each synchronous call that makes them, and damaged objects past
 * MAX_INVALID_OBJECTS end the parse.
 */
function meterPdfLib(): void {
  const sample = decodePDFRawStream(PDFRawStream.of(PDFContext.create().obj({ Filter: 'FlateDecode' }), new Uint8Array(deflateSync(Buffer.from(' ')))));
  const decodeStream = Object.getPrototypeOf(Object.getPrototypeOf(sample)) as { ensureBuffer(this: { buffer: Uint8Array }, requested: number): Uint8Array };
  const ensureBuffer = decodeStream.ensureBuffer;
  decodeStream.ensureBuffer = function (this: { buffer: Uint8Array }, requested: number) {
    const budget = parseBudget.getStore();
    if (budget && requested > this.buffer.byteLength) charge(budget, requested - this.buffer.byteLength);
    return ensureBuffer.call(this, requested);
  };
  const xref = PDFXRefStreamParser.prototype as unknown as { parseEntries(): unknown[] };
  const parseEntries = xref.parseEntries;
  xref.parseEntries = function (this: unknown) {
    return parseBudget.getStore() ? [] : parseEntries.call(this);
  };
  quietly(PDFParser.prototype, 'tryToParseInvalidIndirectObject', (budget) => {
    budget.invalidObjects += 1;
    if (budget.invalidObjects > MAX_INVALID_OBJECTS) throw new ParseBoundExceeded('too many damaged objects');
  });
  // BaseParser, where numbers are read, is not exported: it is PDFObjectParser's parent.
  quietly(Object.getPrototypeOf(PDFObjectParser.prototype) as object, 'parseRawNumber');
}

/** Inside countPdfPages' parse, runs the synchronous method `name` with console.warn silenced. */
function quietly(prototype: object, name: string, before?: (budget: ParseBudget) => void): void {
  const methods = prototype as Record<string, (this: unknown, ...args: unknown[]) => unknown>;
  const method = methods[name];
  if (typeof method !== 'function') return;
  methods[name] = function (this: unknown, ...args: unknown[]) {
    const budget = parseBudget.getStore();
    if (!budget) return method.apply(this, args);
    before?.(budget);
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      return method.apply(this, args);
    } finally {
      console.warn = warn;
    }
  };
}
meterPdfLib();

/**
 * Walks the page tree from the catalog and counts its leaves; the root's declared `/Count` is
 * taken when larger, as a reader that trusts it would show that many. Null when there is no tree,
 * no page, a node reached twice (a loop) or more nodes than MAX_TREE_NODES.
 */
function countTreePages(context: PDFContext): number | null {
  const catalog = resolve(context, context.trailerInfo.Root);
  if (!(catalog instanceof PDFDict)) return null;
  const root = resolve(context, entry(catalog, 'Pages'));
  if (!(root instanceof PDFDict)) return null;
  const seen = new Set<PDFObject>();
  const stack: PDFDict[] = [root];
  let leaves = 0;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node) || seen.size >= MAX_TREE_NODES) return null;
    seen.add(node);
    const kids = resolve(context, entry(node, 'Kids'));
    if (kids instanceof PDFArray) {
      for (const kid of kids.asArray()) {
        const child = resolve(context, kid);
        if (child instanceof PDFDict) stack.push(child);
      }
    } else if (typeName(context, node) === 'Page') {
      leaves += 1;
    }
  }
  if (leaves === 0) return null;
  const declared = resolve(context, entry(root, 'Count'));
  const count = declared instanceof PDFNumber ? Math.min(Math.max(0, Math.floor(declared.asNumber())), MAX_DECLARED_PAGES) : 0;
  return Math.max(leaves, count);
}

function resolve(context: PDFContext, value: PDFObject | undefined): PDFObject | undefined {
  return value instanceof PDFRef ? context.lookup(value) : value;
}

function typeName(context: PDFContext, dict: PDFDict): string | null {
  const type = resolve(context, entry(dict, 'Type'));
  return type instanceof PDFName ? nameText(type) : null;
}

/** A dictionary's value by key, matching keys however their names were escaped. */
function entry(dict: PDFDict, key: string): PDFObject | undefined {
  const direct = dict.get(PDFName.of(key));
  if (direct !== undefined) return direct;
  for (const [name, value] of dict.entries()) if (nameText(name) === key) return value;
  return undefined;
}

/**
 * A name's characters with every `#xx` escape decoded: pdf-lib decodes only upper-case hex
 * (`#4B`), and the PDF syntax allows either case (`#4b`).
 */
function nameText(name: PDFName): string {
  return name.decodeText().replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
