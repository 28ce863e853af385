import { InvalidArgumentError, StructuredOutputError, type LanguageModelV1 } from '@tessera/core'
import { z } from 'zod'
import { defineAgent, type Agent } from '../../agent/define-agent'
import { definePrebuiltAgent } from '../define-prebuilt-agent'
import { fillTemplate, type TemplateValue } from './fill-template'
import { toSlackMrkdwn } from './to-slack-mrkdwn'

/** Where the message goes. */
export type MessageChannel = 'email' | 'slack'

/** The built-in tones; any other string is read by the model as a description of the tone. */
export type MessageTone =
  'formal' | 'friendly' | 'concise' | 'empathetic' | 'apologetic' | 'persuasive' | (string & {})

/** A message template: `{{placeholders}}` in the subject (email) and the body. */
export interface MessageTemplate {
  subject?: string
  body: string
}

/** What to draft: a brief, a template to fill, or both. */
export interface MessageDraftRequest<TTemplate extends string = string> {
  /** What the message must say, in your words. */
  brief?: string
  /** The name of a template in `templates`. */
  template?: TTemplate
  /** Values of the template's placeholders (and facts the model may use). */
  values?: Record<string, TemplateValue>
  /** Who receives it: "Ada, a customer since 2019", "#ops channel". */
  recipient?: string
}

/** A drafted message. */
export type MessageDraft<TChannel extends MessageChannel> = (TChannel extends 'email'
  ? { subject: string }
  : unknown) & {
  /** Plain text for email; Slack mrkdwn for Slack. */
  body: string
  /** The template placeholders filled in code, in order of appearance (empty without one). */
  placeholdersFilled: string[]
}

/** What {@link createMessageDrafterAgent} takes. */
export interface MessageDrafterAgentSettings<
  TChannel extends MessageChannel,
  TTemplate extends string,
> {
  /** Default `message-drafter`. */
  id?: string
  description?: string
  model: LanguageModelV1
  channel: TChannel
  tone: MessageTone
  /** Templates by name: a body, or `{ subject, body }`, with `{{placeholders}}`. */
  templates?: Readonly<Record<TTemplate, string | MessageTemplate>>
  /**
   * `adapt` (default): the filled template is rewritten in the tone, keeping every filled value
   * exactly (checked in code). `as-is`: the filled template is the message; no model is called.
   */
  templateMode?: 'adapt' | 'as-is'
  /** Added to the end of every email in code (the model is told not to sign). */
  signature?: string
  /** The language to write in, e.g. `German`. Default: the brief's. */
  language?: string
  /** About how many words the body should have. */
  maxWords?: number
  /** More guidance, appended to the built-in instructions. */
  instructions?: string
  temperature?: number
  maxOutputTokens?: number
}

const toneGuides: Record<string, string> = {
  formal: 'Formal and professional: complete sentences, no contractions, no slang, no emoji.',
  friendly: 'Warm and friendly: plain words, contractions welcome, positive without gushing.',
  concise:
    'Concise: short sentences, only what the reader needs, no filler or pleasantries beyond a greeting.',
  empathetic: "Empathetic: acknowledge the reader's situation before the facts; calm and kind.",
  apologetic: 'Apologetic: own the problem plainly, say what happens next, no excuses.',
  persuasive:
    'Persuasive: lead with the benefit to the reader and end with one clear call to action; no pressure tactics.',
}

/**
 * A message drafter for email or Slack: writes a message from a brief, or from a template whose
 * `{{placeholders}}` are filled in code first (a missing value fails with
 * `MissingPlaceholderError` before any model call). Filled values must come back exactly as
 * given (checked in code; one repair, then `StructuredOutputError`). Email drafts have a subject
 * and a plain-text body with `signature` appended; Slack drafts are converted to Slack mrkdwn in
 * code, whatever Markdown the model wrote.
 *
 * @example
 * ```ts
 * const drafter = createMessageDrafterAgent({
 *   model,
 *   channel: 'email',
 *   tone: 'empathetic',
 *   signature: 'Acme Support',
 *   templates: { delayed: { subject: 'Order {{orderId}} is delayed', body: 'Your order {{orderId}} will arrive on {{date}}.' } },
 * })
 * const { output } = await drafter.generate({ template: 'delayed', values: { orderId: 'A-17', date: '3 June' }, recipient: 'Ada' })
 * output // { subject: 'Order A-17 is delayed', body: 'Dear Ada, …\n\nAcme Support', placeholdersFilled: ['orderId', 'date'] }
 * ```
 */
export function createMessageDrafterAgent<
  const TChannel extends MessageChannel,
  const TTemplate extends string = never,
>(
  settings: MessageDrafterAgentSettings<TChannel, TTemplate>,
): Agent<MessageDraftRequest<TTemplate>, MessageDraft<TChannel>> {
  const fn = 'createMessageDrafterAgent'
  const invalid = (argument: string, expected: string, received: unknown) =>
    new InvalidArgumentError({ fn, argument, expected, received })
  if (typeof settings !== 'object' || settings === null) {
    throw invalid('settings', 'an object with model, channel and tone', settings)
  }
  const { channel } = settings
  if (channel !== 'email' && channel !== 'slack')
    throw invalid('channel', '"email" or "slack"', channel)
  if (typeof settings.tone !== 'string' || settings.tone.trim() === '') {
    throw invalid(
      'tone',
      `one of ${Object.keys(toneGuides).join(', ')}, or a description of the tone`,
      settings.tone,
    )
  }
  const templateMode = settings.templateMode ?? 'adapt'
  if (templateMode !== 'adapt' && templateMode !== 'as-is') {
    throw invalid('templateMode', '"adapt" or "as-is"', settings.templateMode)
  }
  const templates = new Map<string, MessageTemplate>()
  for (const [name, value] of Object.entries(settings.templates ?? {}) as [string, unknown][]) {
    const template = typeof value === 'string' ? { body: value } : (value as MessageTemplate)
    if (typeof template !== 'object' || template === null || typeof template.body !== 'string') {
      throw invalid(`templates.${name}`, 'a string or { subject?, body }', value)
    }
    if (template.subject !== undefined && typeof template.subject !== 'string') {
      throw invalid(`templates.${name}.subject`, 'a string', template.subject)
    }
    if (channel === 'email' && templateMode === 'as-is' && template.subject === undefined) {
      throw invalid(
        `templates.${name}.subject`,
        'a subject (as-is email templates are sent as written)',
        undefined,
      )
    }
    templates.set(name, template)
  }
  if (
    settings.maxWords !== undefined &&
    (!Number.isInteger(settings.maxWords) || settings.maxWords < 1)
  ) {
    throw invalid('maxWords', 'a positive integer', settings.maxWords)
  }
  const id = settings.id ?? 'message-drafter'
  const signature = channel === 'email' ? settings.signature?.trim() : undefined

  const names = [...templates.keys()]
  const input = z
    .object({
      brief: z.string().optional(),
      template: (names.length > 0 ? z.enum(names as [string, ...string[]]) : z.never()).optional(),
      values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      recipient: z.string().optional(),
    })
    .refine((request) => request.brief !== undefined || request.template !== undefined, {
      message: 'give a brief, a template, or both',
    })
  const output =
    channel === 'email'
      ? z.object({ subject: z.string(), body: z.string(), placeholdersFilled: z.array(z.string()) })
      : z.object({ body: z.string(), placeholdersFilled: z.array(z.string()) })

  const format =
    channel === 'email'
      ? [
          'Write an email: a subject line of under 80 characters (without a "Subject:" prefix) and a plain-text body: a greeting, short paragraphs separated by blank lines, a closing. No Markdown, no HTML.',
          signature === undefined
            ? 'End with a closing line; do not invent a sender name.'
            : 'End with a closing line such as "Kind regards," and do not sign: the signature is added after your text.',
        ]
      : [
          'Write a Slack message in Slack mrkdwn: *bold* with single asterisks, _italic_, ~strikethrough~, <https://example.com|link text> for links, "• " for list items; no headings, no tables, no subject. Lead with the point; a few short lines.',
        ]
  const drafter = defineAgent({
    id: `${id}.draft`,
    model: settings.model,
    instructions: [
      `You draft ${channel === 'email' ? 'emails' : 'Slack messages'} for the user. The user sends a brief, facts, and sometimes an approved template; write the message they ask for.`,
      `Tone: ${toneGuides[settings.tone] ?? settings.tone}`,
      ...format,
      'Use only the facts given: never invent names, numbers, dates, links or promises. Copy every value listed under "Values" exactly as written (same spelling, digits and punctuation). With a template, keep all its content and intent; adapt only the wording to the tone.',
      ...(settings.language === undefined ? [] : [`Write in ${settings.language}.`]),
      ...(settings.maxWords === undefined
        ? []
        : [`Keep the body under about ${settings.maxWords} words.`]),
      ...(settings.instructions === undefined ? [] : [settings.instructions]),
    ].join('\n\n'),
    input: z.string(),
    output:
      channel === 'email'
        ? z.object({ subject: z.string(), body: z.string() })
        : z.object({ body: z.string() }),
    ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    ...(settings.maxOutputTokens === undefined
      ? {}
      : { maxOutputTokens: settings.maxOutputTokens }),
  })

  const finish = (draft: { subject?: string; body: string }, placeholdersFilled: string[]) => {
    let body = draft.body.trim()
    if (channel === 'slack') body = toSlackMrkdwn(body)
    if (signature !== undefined && signature !== '' && !body.endsWith(signature))
      body = `${body}\n\n${signature}`
    return (
      channel === 'email'
        ? { subject: (draft.subject ?? '').trim(), body, placeholdersFilled }
        : { body, placeholdersFilled }
    ) as MessageDraft<TChannel>
  }

  return definePrebuiltAgent({
    id,
    description:
      settings.description ??
      `Drafts ${channel === 'email' ? 'emails' : 'Slack messages'} in a ${settings.tone} tone.`,
    model: settings.model,
    input: input as unknown as z.ZodType<MessageDraftRequest<TTemplate>>,
    output: output as unknown as z.ZodType<MessageDraft<TChannel>>,
    run: async (request, session) => {
      const values = request.values ?? {}
      let filled: { subject?: string; body: string } | undefined
      let placeholdersFilled: string[] = []
      if (request.template !== undefined) {
        const template = templates.get(request.template)!
        // Subject and body together: every missing placeholder is reported at once.
        placeholdersFilled = fillTemplate(
          `${template.subject ?? ''}\n${template.body}`,
          values,
          request.template,
        ).placeholdersFilled
        filled = {
          ...(template.subject === undefined
            ? {}
            : { subject: fillTemplate(template.subject, values, request.template).text }),
          body: fillTemplate(template.body, values, request.template).text,
        }
        if (templateMode === 'as-is') return finish(filled, placeholdersFilled)
      }
      const required = placeholdersFilled.map((name) => ({ name, value: String(values[name]) }))
      const prompt = [
        ...(request.brief === undefined ? [] : [`Brief:\n${request.brief}`]),
        ...(request.recipient === undefined ? [] : [`Recipient: ${request.recipient}`]),
        ...(Object.keys(values).length === 0
          ? []
          : [
              `Values:\n${Object.entries(values)
                .map(([name, value]) => `- ${name}: ${String(value)}`)
                .join('\n')}`,
            ]),
        ...(filled === undefined
          ? []
          : [
              `Template (filled in; keep its content):\n${filled.subject === undefined ? '' : `Subject: ${filled.subject}\n\n`}${filled.body}`,
            ]),
      ].join('\n\n')
      let draft = await session.call(drafter, prompt, 'draft:')
      let missing = missingValues(draft, required)
      if (missing.length > 0) {
        const list = missing.map((item) => `- ${item.name}: ${item.value}`).join('\n')
        draft = await session.call(
          drafter,
          `${prompt}\n\nYour previous draft left out or changed these values, which must appear exactly as written:\n${list}\n\nPrevious draft:\n${JSON.stringify(draft)}\n\nWrite the message again with every value exactly as written.`,
          'repair:',
        )
        missing = missingValues(draft, required)
        if (missing.length > 0) {
          throw new StructuredOutputError({
            provider: settings.model.provider,
            modelId: settings.model.modelId,
            text: JSON.stringify(draft),
            issues: missing.map((item) => ({
              path: 'body',
              expected: `the text "${item.value}"`,
              message: `Agent "${id}": the draft does not contain the value of {{${item.name}}} ("${item.value}")`,
            })),
            attempts: 2,
          })
        }
      }
      return finish(draft, placeholdersFilled)
    },
  })
}

/** The filled values that the draft's subject and body do not contain verbatim. */
function missingValues(
  draft: { subject?: string; body: string },
  required: readonly { name: string; value: string }[],
): { name: string; value: string }[] {
  const text = `${draft.subject ?? ''}\n${draft.body}`
  return required.filter((item) => item.value.trim() !== '' && !text.includes(item.value.trim()))
}
