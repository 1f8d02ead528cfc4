/**
 * Errors a user or API client can see. Each carries a stable code; the README lists them
 * and test/unit/core/errors.test.ts keeps that list in sync with ERROR_CODES.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  BAD_URL: 400,
  INVALID_JSON: 400,
  VALIDATION_FAILED: 400,
  INVALID_OPTIONS: 400,
  UNAUTHORIZED: 401,
  CSRF_FAILED: 403,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CLIP_NOT_FOUND: 404,
  SHARE_NOT_FOUND: 404,
  CAMERA_NOT_FOUND: 404,
  REQUEST_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  NOT_APPROVABLE: 409,
  NOT_REJECTABLE: 409,
  NOT_REVOCABLE: 409,
  NOT_DELETABLE: 409,
  NOT_RETRYABLE: 409,
  NOT_SENDABLE: 409,
  NOT_CANCELLABLE: 409,
  FACES_REMAIN: 409,
  ALREADY_EXISTS: 409,
  CAMERA_PRIVACY: 409,
  REQUEST_TIMEOUT: 408,
  CLIP_FILE_GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  MISDIRECTED_REQUEST: 421,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  CONFIG_INVALID: 500,
  DB_TOO_NEW: 500,
  EXPORT_FAILED: 500,
  UPLOAD_FAILED: 502,
  PLATFORM_UNREACHABLE: 502,
  PLATFORM_BAD_RESPONSE: 502,
  SERVICE_UNAVAILABLE: 503,
  MEDIA_FAILED: 500,
  DEVICE_KEY_INVALID: 500,
  ONVIF_UNREACHABLE: 502,
  ONVIF_AUTH_FAILED: 502,
  ONVIF_FAULT: 502,
  ONVIF_BAD_RESPONSE: 502,
  VENDOR_AUTH_FAILED: 502,
  VENDOR_UNREACHABLE: 502,
  VENDOR_BAD_RESPONSE: 502,
  VENDOR_STREAM_LOST: 502,
  DETECT_UNAVAILABLE: 503,
  DETECT_FAILED: 500,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Message of any thrown value, for logs and problem details. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
