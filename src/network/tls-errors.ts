// Telling TLS problems apart from ordinary connection failures, so that a misconfiguration says
// what is wrong (untrusted certificate, wrong host name, TLS on one side only) in the error's
// `reason` and `detail`. Message, name, code and retriable stay KafkaJS's ("Connection error: ...",
// retried like any connection error), so code written against KafkaJS sees what it always saw.

import { KafkaJSConnectionClosedError, KafkaJSTLSError, type TLSFailureReason } from '../errors.js'

/** OpenSSL's certificate verification results as Node reports them (err.code). */
const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
])

const HOSTNAME_MISMATCH_CODES: ReadonlySet<string> = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH'])

// Node's message when the peer closes the socket before the handshake completes; a plaintext
// Kafka listener does that at once, reading the ClientHello as an oversized request
const CLOSED_DURING_HANDSHAKE = /before secure TLS connection was established/

/**
 * The TLS error a socket error stands for, or undefined when it is not a TLS problem. `tls` says
 * whether the connection uses TLS.
 */
export function classifyTlsSocketError(error: Error, broker: string, tls: boolean): KafkaJSTLSError | undefined {
  if (!tls) return undefined
  const code = (error as NodeJS.ErrnoException).code
  const fail = (reason: TLSFailureReason, what: string): KafkaJSTLSError =>
    new KafkaJSTLSError(`Connection error: ${error.message}`, {
      broker,
      reason,
      tlsCode: code,
      cause: error,
      detail: `TLS connection to ${broker} failed: ${what}`,
    })
  if (code !== undefined && UNTRUSTED_CERTIFICATE_CODES.has(code)) {
    return fail(
      'untrusted-certificate',
      `the broker's certificate is not trusted (${code}: ${error.message}); give its CA in ssl.ca`,
    )
  }
  if (code !== undefined && HOSTNAME_MISMATCH_CODES.has(code)) {
    return fail(
      'hostname-mismatch',
      `the broker's certificate is not valid for this host (${error.message}); ` +
        'connect by a name the certificate lists, or set ssl.servername',
    )
  }
  if (CLOSED_DURING_HANDSHAKE.test(error.message)) {
    return fail(
      'listener-is-plaintext',
      'the broker closed the connection during the TLS handshake; this is probably a plaintext listener ' +
        '(PLAINTEXT or SASL_PLAINTEXT): leave ssl off for it, or use the SSL or SASL_SSL port of the broker',
    )
  }
  if (code?.startsWith('ERR_SSL_') || code === 'ERR_TLS_HANDSHAKE_TIMEOUT') {
    return fail('handshake-failed', `the TLS handshake failed (${code}: ${error.message})`)
  }
  return undefined
}

/**
 * The error for a plaintext connection whose broker answered with TLS: KafkaJS's, which reads the
 * answer as a frame that never completes until the broker closes the connection ("Closed
 * connection"), caused by a KafkaJSTLSError that says what is wrong.
 */
export function tlsListenerError(host: string, port: number): KafkaJSConnectionClosedError {
  const broker = `${host}:${port}`
  const diagnosis = new KafkaJSTLSError('Closed connection', {
    broker,
    reason: 'listener-requires-tls',
    detail:
      `Connection to ${broker} failed: the broker answered with TLS; this is an SSL or SASL_SSL listener: ` +
      'set ssl (true or tls options), or use the PLAINTEXT or SASL_PLAINTEXT port of the broker',
  })
  return new KafkaJSConnectionClosedError('Closed connection', { host, port, cause: diagnosis })
}

/**
 * Whether bytes start like a TLS record (content type handshake or alert, protocol major version 3).
 * A Kafka response starting so would announce a frame of over 300 MB, so the two cannot be confused.
 */
export function looksLikeTlsRecord(head: Buffer): boolean {
  return head.length >= 3 && (head[0] === 0x15 || head[0] === 0x16) && head[1] === 0x03 && head[2]! <= 0x04
}
