/**
 * Rewrites Markdown into Slack's mrkdwn, so a draft renders as meant: `**bold**` → `*bold*`,
 * `*italic*` → `_italic_`, `~~strike~~` → `~strike~`, `[text](url)` → `<url|text>`, headings →
 * bold lines, `*`/`-`/`+` list items → `•`. `&`, `<` and `>` are escaped as Slack requires,
 * except in Slack's own `<…>` tokens (links, `<@U123>` mentions, `<#C123>` channels,
 * `<!here>`) and a `>` that starts a quote. Code spans and blocks are left as they are.
 *
 * @example
 * ```ts
 * toSlackMrkdwn('## Update\n**Done:** see [the doc](https://example.com) & *enjoy*')
 * // '*Update*\n*Done:* see <https://example.com|the doc> &amp; _enjoy_'
 * ```
 */
export function toSlackMrkdwn(markdown: string): string {
  // Code first: kept verbatim, restored at the end. Markers are private-use characters.
  const kept: string[] = []
  const keep = (text: string) => `\uE000${kept.push(text) - 1}\uE000`
  let text = markdown
    .replace(/[\uE000\uE001]/g, '')
    .replace(/```[\s\S]*?```|`[^`\n]+`/g, (code) => keep(code))

  // Slack's own tokens and Markdown links become kept Slack tokens before escaping.
  text = text.replace(/<(?:https?:\/\/|mailto:|[@#!])[^<>\s|]+(?:\|[^<>]*)?>/g, (token) =>
    keep(token),
  )
  text = text.replace(
    /\[([^\]\n]+)\]\(((?:https?:\/\/|mailto:)[^)\s]+)\)/g,
    (_link, label: string, url: string) => keep(`<${url}|${escapeText(label)}>`),
  )
  text = text
    .split('\n')
    .map((line) => {
      const quote = /^\s*>\s?/.exec(line)
      return quote ? quote[0] + escapeText(line.slice(quote[0].length)) : escapeText(line)
    })
    .join('\n')

  text = text
    .replace(
      /^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm,
      (_heading, title: string) => `**${title}**`,
    )
    .replace(/^([ \t]*)[*+-][ \t]+/gm, '$1• ')
    .replace(/~~(?=\S)([^~\n]+?)~~/g, '~$1~')
  // Bold is marked before italics are converted, so that its asterisks survive.
  const bold: string[] = []
  text = text
    .replace(
      /(\*\*|__)(?=\S)([^\n]+?)\1/g,
      (_match, _marker: string, inner: string) => `\uE001${bold.push(inner) - 1}\uE001`,
    )
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g, '$1_$2_')
    .replace(
      /\uE001(\d+)\uE001/g,
      (_match, index: string) =>
        `*${bold[Number(index)]!.replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g, '$1_$2_')}*`,
    )
  // A kept link label may hold a kept code span: restore until none is left.
  while (text.includes('\uE000')) {
    text = text.replace(/\uE000(\d+)\uE000/g, (_match, index: string) => kept[Number(index)]!)
  }
  return text
}

function escapeText(text: string): string {
  return text
    .replace(/&(?!amp;|lt;|gt;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}
