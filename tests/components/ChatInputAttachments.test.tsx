// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import type { ChatEvent } from '@/features/ai-chat/protocol/chat-events';
import { installLayoutStubs, seedConversation, startChatBackend, type ChatBackend } from '../hooks/support/chat-backend';
import { scriptNextChat, startEvent } from '../hooks/support/scripted-chat';

afterEach(cleanup);

let backend: ChatBackend;
beforeAll(async () => {
  installLayoutStubs();
  backend = await startChatBackend();
});
afterAll(async () => {
  await backend?.close();
});

interface Upload {
  name: string | null;
  field: boolean;
}
let uploads: Upload[];
let deleted: string[];
/** Held uploads wait for release(); others answer at once. */
let hold: Promise<void> | null;

function recordFor(name: string, mediaType: string) {
  return {
    id: crypto.randomUUID(),
    mediaType,
    name,
    size: 1234,
    width: mediaType.startsWith('image/') ? 64 : null,
    height: mediaType.startsWith('image/') ? 48 : null,
    pages: mediaType === 'application/pdf' ? 2 : null,
    conversationId: null,
    messageId: null,
    createdAt: new Date().toISOString(),
  };
}

beforeEach(() => {
  backend.server.resetHandlers();
  uploads = [];
  deleted = [];
  hold = null;
  backend.server.use(
    http.post(`${backend.base}/attachments`, async ({ request }) => {
      const form = await request.formData();
      const file = form.get('file');
      const isFile = file instanceof File;
      const name = isFile ? file.name : null;
      uploads.push({ name, field: isFile });
      if (hold) await hold;
      if (name === 'huge.png') {
        return HttpResponse.json({ error: { code: 'file_too_large', message: 'Images may be at most 5 MB.' } }, { status: 413 });
      }
      const type = isFile ? file.type : 'application/octet-stream';
      return HttpResponse.json({ attachment: recordFor(name ?? 'file', type) }, { status: 201 });
    }),
    http.delete(`${backend.base}/attachments/:id`, ({ params }) => {
      deleted.push(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  );
});

const input = () => screen.getByRole('textbox', { name: 'Message' });
const sendButton = () => screen.getByRole('button', { name: 'Send' });
const png = (name = 'cat.png') => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type: 'image/png' });
const pdf = (name = 'report.pdf') => new File(['%PDF-1.7'], name, { type: 'application/pdf' });

function finishedTurn(): ChatEvent[] {
  const start = startEvent('openai', 'gpt-5-mini') as Extract<ChatEvent, { type: 'start' }>;
  return [start, { type: 'text-delta', delta: 'I see it.' }, { type: 'finish', messageId: start.assistantMessageId, finishReason: 'stop' }];
}

function paste(files: File[]) {
  fireEvent.paste(input(), { clipboardData: { files, getData: () => '' } });
}

describe('uploadAttachment', () => {
  it('reports the upload progress from the request’s upload events and answers the stored record', async () => {
    const { uploadAttachment } = await import('@/features/ai-chat/client/server-api');
    const progress: number[] = [];
    const record = await uploadAttachment('/api/chat', png(), { onProgress: (fraction) => progress.push(fraction) });
    expect(record.name).toBe('cat.png');
    // msw sends the whole body's progress at once; a browser sends it as the bytes go.
    expect(progress.at(-1)).toBe(1);
  });

  it('rejects with the server’s code and words', async () => {
    const { uploadAttachment } = await import('@/features/ai-chat/client/server-api');
    await expect(uploadAttachment('/api/chat', png('huge.png'))).rejects.toMatchObject({
      code: 'file_too_large',
      message: 'Images may be at most 5 MB.',
    });
  });
});

describe('attachments in the message box', () => {
  it('a pasted image shows as a thumbnail, uploads at once with progress, holds Send until done, and goes with the message', async () => {
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    const chat = scriptNextChat(backend, finishedTurn());
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    fireEvent.change(input(), { target: { value: 'What is in this picture?' } });
    paste([png()]);

    const drafts = screen.getByRole('list', { name: 'Files to send' });
    expect(within(drafts).getByRole('img', { name: 'cat.png' }).getAttribute('src')).toMatch(/^blob:/);
    const progress = within(drafts).getByRole('progressbar', { name: 'Uploading cat.png' });
    await waitFor(() => expect(uploads).toEqual([{ name: 'cat.png', field: true }]));
    expect(progress.getAttribute('aria-valuenow')).toBe('0');
    expect((sendButton() as HTMLButtonElement).disabled).toBe(true);
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(chat.bodies).toHaveLength(0);

    release();
    await waitFor(() => expect(within(drafts).queryByRole('progressbar')).toBeNull());
    await waitFor(() => expect((sendButton() as HTMLButtonElement).disabled).toBe(false));
    fireEvent.keyDown(input(), { key: 'Enter' });

    await waitFor(() => expect(chat.bodies).toHaveLength(1));
    const body = chat.bodies[0] as { message?: string; attachments?: string[] };
    expect(body.message).toBe('What is in this picture?');
    expect(body.attachments).toHaveLength(1);
    // The question shows its image from the attachments route, and the box is empty again.
    const question = within(screen.getByRole('log', { name: 'Messages' })).getByRole('article', { name: 'You said' });
    expect(within(question).getByRole('img', { name: 'cat.png' }).getAttribute('src')).toContain(`/api/chat/attachments/${body.attachments![0]}`);
    expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull();
    await waitFor(() => expect(screen.getByRole('log', { name: 'Messages' }).textContent).toContain('I see it.'));
  });

  it('the labelled paperclip button opens the file picker; a picked PDF is a named chip and can be sent without text', async () => {
    const chat = scriptNextChat(backend, finishedTurn());
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    const picker = screen.getByTestId('attach-files-input') as HTMLInputElement;
    const opened = vi.spyOn(picker, 'click');
    const button = screen.getByRole('button', { name: 'Attach files' });
    expect(button.tabIndex).not.toBe(-1);
    fireEvent.click(button);
    expect(opened).toHaveBeenCalled();
    expect(picker.accept).toContain('application/pdf');

    fireEvent.change(picker, { target: { files: [pdf()] } });
    const drafts = screen.getByRole('list', { name: 'Files to send' });
    expect(within(drafts).getByText('report.pdf')).toBeTruthy();
    expect(within(drafts).queryByRole('img')).toBeNull();
    await waitFor(() => expect((sendButton() as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(sendButton());

    await waitFor(() => expect(chat.bodies).toHaveLength(1));
    const body = chat.bodies[0] as { message?: string; attachments?: string[] };
    expect(body.message).toBeUndefined();
    expect(body.attachments).toHaveLength(1);
    const question = within(screen.getByRole('log', { name: 'Messages' })).getByRole('article', { name: 'You said' });
    expect(within(question).getByRole('link', { name: 'report.pdf' })).toBeTruthy();
  });

  it('dragging files over the box shows the drop zone; dropping them attaches them', async () => {
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    const form = input().closest('form')!;
    fireEvent.dragEnter(form, { dataTransfer: { types: ['Files'], files: [] } });
    expect(screen.getByText('Drop images or PDFs to attach')).toBeTruthy();
    fireEvent.dragLeave(form, { dataTransfer: { types: ['Files'], files: [] } });
    expect(screen.queryByText('Drop images or PDFs to attach')).toBeNull();

    fireEvent.dragEnter(form, { dataTransfer: { types: ['Files'], files: [] } });
    fireEvent.drop(form, { dataTransfer: { types: ['Files'], files: [png('a.png'), pdf('b.pdf')] } });
    expect(screen.queryByText('Drop images or PDFs to attach')).toBeNull();
    const drafts = screen.getByRole('list', { name: 'Files to send' });
    expect(within(drafts).getByRole('img', { name: 'a.png' })).toBeTruthy();
    expect(within(drafts).getByText('b.pdf')).toBeTruthy();
    await waitFor(() => expect(uploads).toHaveLength(2));
    expect(uploads.every((upload) => upload.field)).toBe(true);
  });

  it('a file dropped elsewhere on the page is attached, not opened by the browser in place of the chat', async () => {
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: { types: ['Files'], files: [pdf('elsewhere.pdf')] } });
    screen.getByRole('log', { name: 'Messages' }).dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    expect(within(await screen.findByRole('list', { name: 'Files to send' })).getByText('elsewhere.pdf')).toBeTruthy();
    await waitFor(() => expect(uploads).toHaveLength(1));
  });

  it('removing an uploaded file before sending deletes it on the server and it is not sent', async () => {
    const chat = scriptNextChat(backend, finishedTurn());
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    fireEvent.change(input(), { target: { value: 'Just text now' } });
    paste([png('oops.png')]);
    const drafts = screen.getByRole('list', { name: 'Files to send' });
    await waitFor(() => expect(within(drafts).queryByRole('progressbar')).toBeNull());

    fireEvent.click(within(drafts).getByRole('button', { name: 'Remove oops.png' }));
    expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull();
    await waitFor(() => expect(deleted).toHaveLength(1));

    fireEvent.click(sendButton());
    await waitFor(() => expect(chat.bodies).toHaveLength(1));
    expect((chat.bodies[0] as { attachments?: string[] }).attachments).toBeUndefined();
  });

  it('a file the server refuses shows its words by the input and is not sent', async () => {
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    paste([png('huge.png')]);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('huge.png: Images may be at most 5 MB.');
    expect(input().getAttribute('aria-describedby')).toBe(alert.id);
    // Nothing to send: the refused file does not count.
    expect((sendButton() as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove huge.png' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(deleted).toEqual([]);
  });
});

describe('the files and text being written, across chats and limits', () => {
  const log = () => screen.getByRole('log', { name: 'Messages' });
  const ready = async () => {
    const drafts = screen.getByRole('list', { name: 'Files to send' });
    await waitFor(() => expect(within(drafts).queryByRole('progressbar')).toBeNull());
    return drafts;
  };

  it('files and text written in one chat do not follow into another: opening another chat or New chat drops them and deletes the unsent uploads', async () => {
    const first = await seedConversation(backend, 2);
    const second = await seedConversation(backend, 2);
    const { rerender } = render(<ChatInterface conversationId={first} showUsage={false} showModelPicker={false} />);
    await waitFor(() => expect(within(log()).getAllByRole('article')).toHaveLength(2));
    fireEvent.change(input(), { target: { value: 'About this picture' } });
    paste([png('first.png')]);
    await ready();

    rerender(<ChatInterface conversationId={second} showUsage={false} showModelPicker={false} />);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
    expect((input() as HTMLTextAreaElement).value).toBe('');
    await waitFor(() => expect(deleted).toHaveLength(1));

    // The next message in the other chat is only what was written there.
    await waitFor(() => expect((input() as HTMLTextAreaElement).disabled).toBe(false));
    const chat = scriptNextChat(backend, finishedTurn());
    fireEvent.change(input(), { target: { value: 'Hello second chat' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(chat.bodies).toHaveLength(1));
    expect(chat.bodies[0]).toMatchObject({ message: 'Hello second chat', conversationId: second });
    expect(chat.bodies[0]).not.toHaveProperty('attachments');
    await waitFor(() => expect(log().textContent).toContain('I see it.'));

    fireEvent.change(input(), { target: { value: 'Half a thought' } });
    paste([pdf('second.pdf')]);
    await ready();
    rerender(<ChatInterface conversationId={null} showUsage={false} showModelPicker={false} />);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
    expect((input() as HTMLTextAreaElement).value).toBe('');
    await waitFor(() => expect(deleted).toHaveLength(2));
  });

  it('a new chat’s conversation, named by its first message, is the same chat: what is being written for it stays', async () => {
    const chat = scriptNextChat(backend, finishedTurn());
    let created: string | null = null;
    const view = (id: string | null) => (
      <ChatInterface conversationId={id} onConversationCreated={(newId) => (created = newId)} showUsage={false} showModelPicker={false} />
    );
    const { rerender } = render(view(null));
    fireEvent.change(input(), { target: { value: 'First' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(created).not.toBeNull());
    fireEvent.change(input(), { target: { value: 'And next' } });
    paste([png('kept.png')]);
    await ready();
    rerender(view(created));
    await waitFor(() => expect(log().textContent).toContain('I see it.'));
    expect((input() as HTMLTextAreaElement).value).toBe('And next');
    expect(within(screen.getByRole('list', { name: 'Files to send' })).getByRole('img', { name: 'kept.png' })).toBeTruthy();
    expect(deleted).toEqual([]);
    expect(chat.bodies).toHaveLength(1);
  });

  it('files past the server’s limit per message are not added, and the input says the limit', async () => {
    const chat = scriptNextChat(backend, finishedTurn());
    render(<ChatInterface showUsage={false} />);
    // The limit comes with the server's config, as the model picker does.
    await screen.findByRole('combobox', { name: 'Model' });
    const twelve = Array.from({ length: 12 }, (_, i) => png(`p${i}.png`));
    paste(twelve);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('A message may carry at most 10 files: 2 were not added.');
    const drafts = await ready();
    expect(within(drafts).getAllByRole('img')).toHaveLength(10);
    expect(within(drafts).queryByText('p10.png')).toBeNull();
    await waitFor(() => expect(uploads).toHaveLength(10));

    // Full: one more is not added either.
    paste([png('one-more.png')]);
    expect(screen.getByRole('alert').textContent).toBe('A message may carry at most 10 files: 1 was not added.');
    expect(within(drafts).queryByText('one-more.png')).toBeNull();

    fireEvent.click(sendButton());
    await waitFor(() => expect(chat.bodies).toHaveLength(1));
    expect((chat.bodies[0] as { attachments?: string[] }).attachments).toHaveLength(10);
    await waitFor(() => expect(log().textContent).toContain('I see it.'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a file the server refused shows a file icon, not its bytes as a broken image', async () => {
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    paste([png('huge.png')]);
    await screen.findByRole('alert');
    const drafts = screen.getByRole('list', { name: 'Files to send' });
    expect(within(drafts).getByText('huge.png')).toBeTruthy();
    expect(within(drafts).queryByRole('img')).toBeNull();
  });

  it('removing a file moves focus to the next file’s remove button, else the previous one, else the message box', async () => {
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    paste([png('a.png'), png('b.png'), png('c.png')]);
    const drafts = await ready();
    const removeButton = (name: string) => within(drafts).getByRole('button', { name: `Remove ${name}` });
    removeButton('b.png').focus();
    fireEvent.click(removeButton('b.png'));
    expect(document.activeElement).toBe(removeButton('c.png'));
    fireEvent.click(removeButton('c.png'));
    expect(document.activeElement).toBe(removeButton('a.png'));
    fireEvent.click(removeButton('a.png'));
    expect(document.activeElement).toBe(input());
  });

  it('Enter while a file uploads says Send is waiting for it', async () => {
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    render(<ChatInterface showUsage={false} showModelPicker={false} />);
    fireEvent.change(input(), { target: { value: 'Look' } });
    paste([png('slow.png')]);
    expect(screen.queryByText('Waiting for 1 file to upload…')).toBeNull();
    fireEvent.keyDown(input(), { key: 'Enter' });
    const note = screen.getByText('Waiting for 1 file to upload…');
    expect(input().getAttribute('aria-describedby')).toBe(note.id);
    release();
    await waitFor(() => expect(screen.queryByText('Waiting for 1 file to upload…')).toBeNull());
  });
});
