'use client';

import { type KeyboardEvent, useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { CloseIcon } from './icons';

export interface ImageDialogProps {
  src: string;
  alt: string;
  onClose: () => void;
}

/**
 * An image at full size in a modal dialog. Esc, the close button or a click outside the image
 * close it; focus moves to the close button and, on close, back to what opened it (the caller's
 * button keeps focus through React: it is restored here from `document.activeElement`).
 */
export function ImageDialog({ src, alt, onClose }: ImageDialogProps) {
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onClose();
    }
    // The close button is the only stop: Tab stays on it, inside the dialog.
    if (event.key === 'Tab') {
      event.preventDefault();
      closeRef.current?.focus();
    }
  };

  return createPortal(
    <div
      role="dialog"
      aria-modal="true"
      aria-label={alt}
      onKeyDown={onKeyDown}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      className="fixed inset-0 z-50 flex items-center justify-center bg-black/85 p-4 pt-16"
    >
      {/* At most the screen, never larger than the picture itself: a 320×200 image stays 320×200. */}
      {/* eslint-disable-next-line @next/next/no-img-element -- a private file behind the route, not a static asset */}
      <img src={src} alt={alt} className="max-h-full max-w-full object-contain" />
      <button
        ref={closeRef}
        type="button"
        onClick={onClose}
        aria-label="Close image"
        className="absolute top-3 right-3 inline-flex size-10 items-center justify-center rounded-full bg-background text-foreground hover:bg-accent focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white"
      >
        <CloseIcon />
      </button>
    </div>,
    document.body,
  );
}
