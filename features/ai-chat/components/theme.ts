/**
 * Light, dark, or whatever the system says: kept per browser. A choice puts `.light` or `.dark`
 * on <html>; 'system' puts neither, and the theme tokens and `dark:` follow the system
 * (styles/ai-chat.css, app/globals.css).
 */
export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_STORAGE_KEY = 'ai-chat-theme';
export const THEME_CHANGE_EVENT = 'ai-chat-theme-change';

/** The browser's saved choice; 'system' when none (or storage is blocked). */
export function readThemeChoice(): ThemeChoice {
  try {
    const saved = window.localStorage.getItem(THEME_STORAGE_KEY);
    return saved === 'light' || saved === 'dark' ? saved : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a choice to <html>: `.dark`, `.light`, or neither for the system's. */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  root.classList.toggle('dark', choice === 'dark');
  root.classList.toggle('light', choice === 'light');
}

/** Saves and applies a choice, and tells other toggles on the page. */
export function saveThemeChoice(choice: ThemeChoice): void {
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage blocked: the choice holds for this page only.
  }
  applyTheme(choice);
  window.dispatchEvent(new Event(THEME_CHANGE_EVENT));
}

/** Calls back when the choice changes (on this page or, through storage, in another tab). */
export function subscribeThemeChoice(callback: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key !== THEME_STORAGE_KEY) return;
    applyTheme(readThemeChoice());
    callback();
  };
  window.addEventListener(THEME_CHANGE_EVENT, callback);
  window.addEventListener('storage', onStorage);
  return () => {
    window.removeEventListener(THEME_CHANGE_EVENT, callback);
    window.removeEventListener('storage', onStorage);
  };
}

/**
 * Run in <head> before the page paints (app/layout.tsx inlines it), so a dark page never flashes
 * light on load: the same as applyTheme(readThemeChoice()), as a string.
 */
export const THEME_INIT_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)});if(t==='dark'||t==='light')document.documentElement.classList.add(t);}catch(e){}})();`;
