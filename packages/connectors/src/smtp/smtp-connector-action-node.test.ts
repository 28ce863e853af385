import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createEngine, createWorkflow, type SecretsProviderV1 } from '@tessera/core'
import { startSmtpTestServer, type SmtpTestServer } from '../../test/fakes/smtp-test-server'
import { createSmtpConnector } from './create-smtp-connector'
import { closeSmtpTransports } from './smtp-transports'

// The SMTP connector as a workflow step: the engine resolves the password's secret reference
// and the message arrives with the Message-ID made from the step's idempotency key.

const login = { user: 'workflow-app', pass: 'pw-engine-1234' }
let smtp: SmtpTestServer
beforeAll(async () => (smtp = await startSmtpTestServer(login)))
afterAll(async () => {
  await closeSmtpTransports()
  await smtp.close()
})

const secrets: SecretsProviderV1 = {
  specificationVersion: 'v1',
  provider: 'map',
  get: async (name) => ({ SMTP_PASSWORD: login.pass })[name],
}

describe('the SMTP connector as an action node', () => {
  it('sends the email of a workflow step', async () => {
    const workflow = createWorkflow({
      id: 'welcome-email',
      input: z.object({ email: z.string(), name: z.string() }),
    })
      .map(({ input }) => ({
        to: input.email,
        subject: `Welcome, ${input.name}`,
        text: 'Hello!',
      }))
      .action(createSmtpConnector(), 'send-email', {
        host: '127.0.0.1',
        port: smtp.port,
        auth: { user: login.user, pass: { $secret: 'SMTP_PASSWORD' } },
        from: 'noreply@example.com',
        messageIdDomain: 'example.com',
      })
      .commit()
    const engine = createEngine({ secrets })
    try {
      const run = await engine.start(workflow, { email: 'ada@example.com', name: 'Ada' })
      const output = (await run.result()) as { messageId: string; accepted: string[] }
      expect(output.accepted).toEqual(['ada@example.com'])
      expect(output.messageId).toMatch(/^<.+@example\.com>$/)
      expect(decodeURIComponent(output.messageId)).toContain(run.id)
      const mail = smtp.mails.at(-1)!
      expect(mail.user).toBe(login.user)
      expect(mail.parsed.messageId).toBe(output.messageId)
      expect(mail.parsed.subject).toBe('Welcome, Ada')
    } finally {
      await engine.close()
    }
  })
})
