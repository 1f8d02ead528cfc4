import { ERROR_CODES, errorMessage } from '../../core/errors.js';

/**
 * Stable codes for vendor event-stream failures, from the code base's one list (ERROR_CODES in
 * src/core/errors.ts, documented in the README error table). They surface as problem details,
 * event-source `lastError` and log fields, never as HTTP answers of their own.
 */
export const VENDOR_ERROR_CODES = {
  /** The camera refused the credentials (401 after answering its challenge, or 403). */
  VENDOR_AUTH_FAILED: ERROR_CODES.VENDOR_AUTH_FAILED,
  /** Connection refused, reset, DNS failure, or no answer within the connect deadline. */
  VENDOR_UNREACHABLE: ERROR_CODES.VENDOR_UNREACHABLE,
  /** The camera answered, but not with an event stream (wrong status, redirect elsewhere, no boundary). */
  VENDOR_BAD_RESPONSE: ERROR_CODES.VENDOR_BAD_RESPONSE,
  /** The stream broke after it was established: dropped, silent past the watchdog, or unparseable. */
  VENDOR_STREAM_LOST: ERROR_CODES.VENDOR_STREAM_LOST,
} as const;

export type VendorErrorCode = keyof typeof VENDOR_ERROR_CODES;

export class VendorError extends Error {
  readonly status: number;

  constructor(
    readonly code: VendorErrorCode,
    message: string,
    /** The camera's HTTP status, when it answered with one. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'VendorError';
    this.status = VENDOR_ERROR_CODES[code];
  }
}

/** Any failure as a VendorError; one that is not already is a bad response. */
export function toVendorError(err: unknown): VendorError {
  return err instanceof VendorError ? err : new VendorError('VENDOR_BAD_RESPONSE', errorMessage(err));
}
