export { createEmailAdapter, type EmailAdapterOptions, parseFromAddress } from './create-email-adapter';
export { formatOwnMessageId, parseOwnMessageId } from './own-message-id';
export { stripQuotedReply } from './strip-quoted-reply';
