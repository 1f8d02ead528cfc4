/**
 * Stable codes for vendor event-stream failures. They surface as problem details and log
 * fields, never in HTTP answers. Kept here, next to their only producer, until they join
 * ERROR_CODES in src/core/errors.ts (and the README error table) when the source is wired in.
 */
export const VENDOR_ERROR_CODES = {
  /** The camera refused the credentials (401 after answering its challenge, or 403). */
  VENDOR_AUTH_FAILED: 502,
  /** Connection refused, reset, DNS failure, or no answer within the connect deadline. */
  VENDOR_UNREACHABLE: 502,
  /** The camera answered, but not with an event stream (wrong status, redirect elsewhere, no boundary). */
  VENDOR_BAD_RESPONSE: 502,
  /** The stream broke after it was established: dropped, silent past the watchdog, or unparseable. */
  VENDOR_STREAM_LOST: 502,
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
