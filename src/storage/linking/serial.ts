/**
 * Serial normalisation for Final Test linking.
 *
 * @module
 */

/**
 * Normalises a serial number for matching a Final Test record to its trim record, as the plant's data requires:
 * case-insensitive (upper-cased), an `S/N`, `SN` or `#` prefix removed (with any separator after it), surrounding
 * whitespace removed and leading zeros stripped. A serial of only zeros normalises to `0`. As the plant's rule says,
 * `SN` is a prefix wherever it starts a serial (`SNA001205` → `A001205`); a serial that really starts with the
 * letters S, N matches only its own spelling with the same prefix rule applied on both sides.
 *
 * @example
 * ```ts
 * normalizeSerial('S/N 000123a'); // '123A'
 * normalizeSerial('#0042');       // '42'
 * normalizeSerial('sn-7');        // '7'
 * normalizeSerial('SNA001205');   // 'A001205'
 * ```
 */
export function normalizeSerial(serial: string): string {
  let s = serial.trim().toUpperCase();
  // Longest prefix first: `S/N` before `SN`; a separator (space, colon, dash, dot) may follow the prefix.
  const prefix = /^(S\/N|#|SN)[\s:.\-#]*/u.exec(s);
  if (prefix !== null) s = s.slice(prefix[0].length);
  s = s.trim();
  const stripped = s.replace(/^0+/u, '');
  return stripped === '' && s !== '' ? '0' : stripped;
}
