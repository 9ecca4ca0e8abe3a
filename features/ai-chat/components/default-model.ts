import type { ModelChoice } from './ModelPicker';

const DEFAULT_MODEL_KEY = 'ai-chat-default-model';
export const DEFAULT_MODEL_CHANGE_EVENT = 'ai-chat-default-model-change';

/** The saved default as stored ("provider:model"); null when none (or storage is blocked). */
export function readDefaultModelKey(): string | null {
  try {
    return window.localStorage.getItem(DEFAULT_MODEL_KEY);
  } catch {
    return null;
  }
}

/** A stored "provider:model" as a choice; null when it is not one. */
export function parseModelKey(saved: string | null): ModelChoice | null {
  const [provider, ...model] = saved?.split(':') ?? [];
  return (provider === 'openai' || provider === 'anthropic') && model.length > 0 ? { provider, model: model.join(':') } : null;
}

/** Calls back when the saved default changes (on this page or in another tab). */
export function subscribeDefaultModel(callback: () => void): () => void {
  window.addEventListener(DEFAULT_MODEL_CHANGE_EVENT, callback);
  window.addEventListener('storage', callback);
  return () => {
    window.removeEventListener(DEFAULT_MODEL_CHANGE_EVENT, callback);
    window.removeEventListener('storage', callback);
  };
}

/** Saves the model new chats start on, and tells the chat on the page. */
export function saveDefaultModel(choice: ModelChoice): void {
  try {
    window.localStorage.setItem(DEFAULT_MODEL_KEY, `${choice.provider}:${choice.model}`);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
  window.dispatchEvent(new Event(DEFAULT_MODEL_CHANGE_EVENT));
}
