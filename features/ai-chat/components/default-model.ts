import type { ModelChoice } from './ModelPicker';

const DEFAULT_MODEL_KEY = 'ai-chat-default-model';
export const DEFAULT_MODEL_CHANGE_EVENT = 'ai-chat-default-model-change';

/** The model new chats start on, as this browser saved it; null when none (or storage is blocked). */
export function readDefaultModel(): ModelChoice | null {
  try {
    const saved = window.localStorage.getItem(DEFAULT_MODEL_KEY);
    const [provider, ...model] = saved?.split(':') ?? [];
    if ((provider === 'openai' || provider === 'anthropic') && model.length > 0) return { provider, model: model.join(':') };
  } catch {
    // Storage blocked: the server's default.
  }
  return null;
}

/** Saves the model new chats start on, and tells the chat on the page. */
export function saveDefaultModel(choice: ModelChoice): void {
  try {
    window.localStorage.setItem(DEFAULT_MODEL_KEY, `${choice.provider}:${choice.model}`);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
  window.dispatchEvent(new CustomEvent(DEFAULT_MODEL_CHANGE_EVENT, { detail: choice }));
}
