/**
 * Markdown escaping for text that comes from definition files or from
 * Novu. Such text ends up in job summaries and pull-request comments, where
 * a stray `|` breaks a table, `<` opens HTML, a backtick opens code, an
 * `@name` notifies a stranger and `#12` links an unrelated issue.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*[\]|~])/g, '\\$1')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/#(?=\d)/g, '#\u200b')
}

/** Text for inside a code span, which has no escapes of its own. */
export function codeSpan(text: string): string {
  return `\`${text.replace(/\r?\n/g, ' ').replace(/`/g, "'")}\``
}

/** Size as GitHub counts its limits: UTF-8 bytes, never below characters. */
export function byteSize(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/** Shortens long values so one field cannot fill a report. */
export function shorten(text: string, limit = 80): string {
  if (text.length <= limit) return text
  return `${text.slice(0, limit - 1)}…`
}

/** A value for a diff line: JSON, shortened, escaped. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(none)'
  const text = typeof value === 'string' ? JSON.stringify(value) : toJson(value)
  return escapeMarkdown(shorten(text))
}

function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}
