import 'server-only';
import type { ModelInfo } from './models/types';

/** What a picker shows for a model: a name a person knows and a short note on what it is good for. */
export interface ModelLabel {
  name: string;
  note: string;
}

const FAST = /(mini|nano|haiku|flash|lite|small|turbo)/;

/**
 * `gpt-5-mini` → "GPT-5 mini · fast", `claude-sonnet-5-5` → "Claude Sonnet 5.5 · smart, reads
 * images and PDFs": read off the id and the catalogue row, so a model added to the table is named
 * without another list to keep.
 */
export function modelLabel(id: string, info: ModelInfo | null): ModelLabel {
  if (info?.provider === 'demo') return { name: 'Offline demo', note: 'canned replies, no AI' };
  const notes = [FAST.test(id) ? 'fast' : 'smart'];
  if (info?.accepts?.images && info.accepts.pdf) notes.push('reads images and PDFs');
  else if (info?.accepts?.images) notes.push('reads images');
  return { name: modelName(id), note: notes.join(', ') };
}

function modelName(id: string): string {
  const claude = /^claude-([a-z]+)-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/.exec(id);
  if (claude) return `Claude ${capitalise(claude[1]!)} ${claude[2]}${claude[3] ? `.${claude[3]}` : ''}`;
  const gpt = /^gpt-([\d.]+o?)(?:-(.+))?$/.exec(id);
  if (gpt) return `GPT-${gpt[1]}${gpt[2] ? ` ${gpt[2].replace(/-/g, ' ')}` : ''}`;
  return id;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
