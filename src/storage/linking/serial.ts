/**
 * Serial normalisation for Final Test linking.
 *
 * @module
 */

/**
 * Normalises a serial number for matching a Final Test record to its trim record, as the plant's data requires:
 * case-insensitive (upper-cased), an `S/N` or `#` prefix, or an `SN` prefix before a separator or digit, removed
 * (with any separator after it), surrounding whitespace removed and leading zeros stripped. A serial of only zeros normalises to `0`.
 *
 * @example
 * ```ts
 * normalizeSerial('S/N 000123a'); // '123A'
 * normalizeSerial('#0042');       // '42'
 * normalizeSerial('sn-7');        // '7'
 * ```
 */
export function normalizeSerial(serial: string): string {
  let s = serial.trim().toUpperCase();
  // Longest prefix first: `S/N` before `SN`; a separator (space, colon, dash, dot) may follow the prefix. `SN` counts
  // as a prefix only before a separator or a digit, so a serial such as `SNOW1` keeps its letters.
  const prefix = /^(S\/N|#|SN(?=[\s:.\-#\d]))[\s:.\-#]*/u.exec(s);
  if (prefix !== null) s = s.slice(prefix[0].length);
  s = s.trim();
  const stripped = s.replace(/^0+/u, '');
  return stripped === '' && s !== '' ? '0' : stripped;
}
