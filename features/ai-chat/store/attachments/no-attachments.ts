import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { UserAttachmentStore } from '../chat-store';

/** A store with no file storage configured: nothing is stored, nothing is found. */
export const NO_ATTACHMENTS: UserAttachmentStore = {
  create: () => Promise.reject(new ChatError('not_configured', 'File uploads are not configured on this server.')),
  get: () => Promise.resolve(null),
  read: () => Promise.resolve(null),
  signedUrl: () => Promise.resolve(null),
  remove: () => Promise.resolve(false),
  attach: (ids) =>
    ids.length === 0 ? Promise.resolve([]) : Promise.reject(new ChatError('bad_request', 'File uploads are not configured on this server.')),
};
