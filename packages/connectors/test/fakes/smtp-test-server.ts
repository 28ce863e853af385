import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'

// A real SMTP server for tests (smtp-server, the Nodemailer project's server library) with
// AUTH PLAIN/LOGIN over plain TCP. Recipients at reject.example are refused with 550, at
// defer.example deferred with 451; a message to hang@example.com is read but never answered
// (the abort test). Every accepted message is parsed with mailparser.

/** A message the test server accepted. */
export interface ReceivedMail {
  user: string | undefined
  envelope: { from: string | undefined; to: string[] }
  parsed: ParsedMail
}

/** A running SMTP test server. */
export interface SmtpTestServer {
  port: number
  mails: ReceivedMail[]
  /** Resolves when a message to hang@example.com reached the DATA stage. */
  hangingData(): Promise<void>
  /** Resolves when a connection that sent to hang@example.com was closed by the client. */
  hangingClosed(): Promise<void>
  /** Requests held open right now (the hanging ones). */
  readonly holding: number
  /** The next message gets 451 (after its Message-ID is recorded). */
  deferNext(): void
  /** The Message-ID of the last message the server read, accepted or not. */
  readonly lastMessageId: string | undefined
  close(): Promise<void>
}

/**
 * Starts an SMTP server on 127.0.0.1 that accepts the login `user`/`pass`.
 *
 * @example
 * ```ts
 * const smtp = await startSmtpTestServer({ user: 'app', pass: 'secret' })
 * ```
 */
export async function startSmtpTestServer(login: {
  user: string
  pass: string
}): Promise<SmtpTestServer> {
  const mails: ReceivedMail[] = []
  const hangingSessions = new Set<string>()
  let holding = 0
  let deferrals = 0
  let lastMessageId: string | undefined
  let onHangingClosed: () => void = () => undefined
  let hangingClosed = new Promise<void>((resolve) => (onHangingClosed = resolve))
  let onHangingData: () => void = () => undefined
  let hangingData = new Promise<void>((resolve) => (onHangingData = resolve))
  const server = new SMTPServer({
    secure: false,
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === login.user && auth.password === login.pass)
        return callback(null, { user: auth.username })
      const error = Object.assign(new Error('Authentication credentials invalid'), {
        responseCode: 535,
      })
      callback(error)
    },
    onRcptTo(address, session, callback) {
      const domain = address.address.split('@')[1]
      if (domain === 'reject.example')
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }))
      if (domain === 'defer.example')
        return callback(
          Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }),
        )
      if (address.address === 'hang@example.com') hangingSessions.add(session.id)
      callback()
    },
    onData(stream, session, callback) {
      if (hangingSessions.has(session.id)) {
        holding++
        stream.resume()
        onHangingData()
        return
      }
      simpleParser(stream).then(
        (parsed) => {
          lastMessageId = parsed.messageId
          if (deferrals > 0) {
            deferrals--
            return callback(
              Object.assign(new Error('Temporary local problem, try again'), { responseCode: 451 }),
            )
          }
          mails.push({
            user: session.user as string | undefined,
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            },
            parsed,
          })
          callback(null, `OK: queued as ${mails.length}`)
        },
        (error: Error) => callback(error),
      )
    },
    onClose(session) {
      if (hangingSessions.delete(session.id)) {
        holding--
        onHangingClosed()
      }
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    port,
    mails,
    async hangingData() {
      await hangingData
      hangingData = new Promise<void>((resolve) => (onHangingData = resolve))
    },
    get holding() {
      return holding
    },
    deferNext() {
      deferrals++
    },
    get lastMessageId() {
      return lastMessageId
    },
    async hangingClosed() {
      await hangingClosed
      hangingClosed = new Promise<void>((resolve) => (onHangingClosed = resolve))
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
