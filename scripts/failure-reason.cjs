// Why a service stopped, from what it wrote to its log: shown on the console by `npm start` so the
// reason (e.g. `database "x" does not exist`) is not left in the log file alone.

const NOISE = [/^\s+at /, /^Node\.js v\d/, /^\s*\^+\s*$/];
const MAX_LINES = 6;
const MAX_LINE_LENGTH = 300;

function errorEntry(line) {
  if (!line.startsWith('{')) return undefined;
  try {
    const entry = JSON.parse(line);
    if (typeof entry !== 'object' || entry === null) return undefined;
    return { error: Number(entry.level) >= 50, text: [entry.msg, entry.err?.message].filter(Boolean).join(': ') };
  } catch {
    return undefined;
  }
}

/**
 * The last plain-text message (a fatal start-up error, an uncaught exception) with the indented
 * lines that belong to it; without one, the last JSON log entry at level error or above.
 */
function failureReason(logText) {
  const plain = [];
  let lastLoggedError;
  for (const line of logText.split('\n').map((l) => l.trimEnd())) {
    if (!line) continue;
    const entry = errorEntry(line);
    if (entry) {
      if (entry.error && entry.text) lastLoggedError = entry.text;
      continue;
    }
    if (!NOISE.some((pattern) => pattern.test(line))) plain.push(line);
  }
  if (plain.length === 0) return lastLoggedError;
  let start = plain.length - 1;
  while (start > 0 && /^\s/.test(plain[start])) start -= 1;
  return plain
    .slice(start, start + MAX_LINES)
    .map((line) => (line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line))
    .join('\n');
}

module.exports = { failureReason };
