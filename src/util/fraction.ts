// A share written as a fraction or a percentage on the command line: "0.05" or "5%" (spaces allowed around).
// Callers check the range they accept and word their own message.

/** `5%` or `0.05` → 0.05; NaN when the text is neither. */
export function parseFraction(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  return m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
}
