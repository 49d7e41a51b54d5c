/**
 * Customer photos: validate untrusted bytes by content ({@link inspectImage}), decode base64 attachments
 * ({@link decodeBase64Attachment}) and keep originals + thumbnails in a content-addressed store ({@link MediaStore}).
 */
export { type Base64DecodeResult, decodeBase64Attachment } from './decode-base64';
export {
  acceptedImageTypes,
  heicDecodable,
  type ImageCheck,
  type ImageContentType,
  type ImageRejection,
  type InspectImageOptions,
  inspectImage,
  type ValidImage,
} from './inspect-image';
export { isSha256Hex, MediaStore, type MediaVariant, type StoredMedia, THUMB_MAX_SIDE } from './media-store';
