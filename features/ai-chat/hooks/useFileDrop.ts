'use client';

import { useEffect, useRef, useState, type DragEvent } from 'react';

export interface FileDrop {
  /** Files are being dragged over the element: show the drop zone. */
  dragging: boolean;
  onDragEnter: (event: DragEvent) => void;
  onDragOver: (event: DragEvent) => void;
  onDragLeave: (event: DragEvent) => void;
  onDrop: (event: DragEvent) => void;
}

/**
 * Files dropped on the element the handlers go on, or anywhere else on the page, go to `attach`
 * (while `enabled`): a file dropped beside the box would make the browser leave the chat to show it.
 */
export function useFileDrop(enabled: boolean, attach: (files: FileList | null | undefined) => void): FileDrop {
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);

  const carriesFiles = (event: DragEvent) => enabled && Array.from(event.dataTransfer?.types ?? []).includes('Files');
  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth.current += 1;
    setDragging(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    // Leaving a child enters another: only the last leave ends the drag.
    dragDepth.current = Math.max(0, dragDepth.current - 1);
    if (dragDepth.current === 0) setDragging(false);
  };
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    dragDepth.current = 0;
    setDragging(false);
    attach(event.dataTransfer.files);
  };

  const attachRef = useRef(attach);
  useEffect(() => {
    attachRef.current = attach;
  });
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (event: globalThis.DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const onWindowDragOver = (event: globalThis.DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const onWindowDrop = (event: globalThis.DragEvent) => {
      if (!hasFiles(event) || event.defaultPrevented) return;
      event.preventDefault();
      attachRef.current(event.dataTransfer?.files);
    };
    window.addEventListener('dragover', onWindowDragOver);
    window.addEventListener('drop', onWindowDrop);
    return () => {
      window.removeEventListener('dragover', onWindowDragOver);
      window.removeEventListener('drop', onWindowDrop);
    };
  }, [enabled]);

  return { dragging, onDragEnter, onDragOver, onDragLeave, onDrop };
}
