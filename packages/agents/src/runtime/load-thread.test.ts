import { createMemoryStore } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import type { AgentEvent } from '../agent/agent-event'
import { defineAgent } from '../agent/define-agent'
import { createScriptedModel } from '../scripted-model/create-scripted-model'

describe('agent memory', () => {
  it('continues a thread across generate() calls', async () => {
    const store = createMemoryStore()
    const model = createScriptedModel(['Hi Ada.', 'Ada.'])
    const agent = defineAgent({ id: 'pal', instructions: 'Be brief.', model, memory: { store } })
    await agent.generate('I am Ada.', { threadId: 'u1' })
    await agent.generate('Who am I?', { threadId: 'u1' })
    expect(model.calls[1]!.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ])
    // Another thread starts empty.
    const other = createScriptedModel(['Hello.'])
    const fresh = defineAgent({
      id: 'pal2',
      instructions: 'Be brief.',
      model: other,
      memory: { store },
    })
    await fresh.generate('Hi', { threadId: 'u2' })
    expect(other.calls[0]!.messages).toHaveLength(2)
  })

  it('needs a thread id when the agent has memory', async () => {
    const agent = defineAgent({
      id: 'pal',
      instructions: 'x',
      model: createScriptedModel(['unused']),
      memory: { store: createMemoryStore() },
    })
    await expect(agent.generate('hi')).rejects.toThrow(/a thread id for the agent’s memory/)
  })

  it('summarises the oldest turns when the thread exceeds the token budget', async () => {
    const store = createMemoryStore()
    const long = (word: string) => `${word} `.repeat(60).trim() // about 90 tokens
    // Three earlier turns of two messages each.
    await store.appendThreadMessages!({
      threadId: 't',
      now: 1,
      messages: [
        { role: 'user', content: long('alpha') },
        { role: 'assistant', content: 'noted alpha' },
        { role: 'user', content: long('beta') },
        { role: 'assistant', content: 'noted beta' },
        { role: 'user', content: long('gamma') },
        { role: 'assistant', content: 'noted gamma' },
      ],
    })
    const summarizer = createScriptedModel(['The user talked about alpha and beta.'])
    const model = createScriptedModel(['Gamma it is.'])
    const agent = defineAgent({
      id: 'pal',
      instructions: 'Be brief.',
      model,
      memory: { store, tokenBudget: 250, summarizer, keepRatio: 0.5 },
    })
    const events: AgentEvent[] = []
    const result = await agent.generate('And now?', {
      threadId: 't',
      onEvent: (e) => events.push(e),
    })
    expect(result.output).toBe('Gamma it is.')
    // The summariser saw the two oldest turns, not the newest.
    const prompt = summarizer.calls[0]!.messages[1]!.content as string
    expect(prompt).toContain('alpha')
    expect(prompt).toContain('noted beta')
    expect(prompt).not.toContain('gamma')
    // The agent saw the summary in its system message and only the newest turn.
    expect(model.calls[0]!.messages).toEqual([
      {
        role: 'system',
        content:
          'Be brief.\n\nSummary of the earlier conversation:\nThe user talked about alpha and beta.',
      },
      { role: 'user', content: long('gamma') },
      { role: 'assistant', content: 'noted gamma' },
      { role: 'user', content: 'And now?' },
    ])
    const thread = await store.getThread!({ threadId: 't' })
    expect(thread?.summary).toMatchObject({
      content: 'The user talked about alpha and beta.',
      throughSeq: 4,
    })
    expect(thread?.messages.map((entry) => entry.seq)).toEqual([5, 6, 7, 8])
    expect(
      events
        .filter((event) => event.type === 'model-call-end')
        .map((event) => (event as { purpose: string }).purpose),
    ).toEqual(['summary', 'step'])
    // The summary's tokens count in the run's usage.
    const ends = events.filter((event) => event.type === 'model-call-end')
    expect(result.usage.inputTokens).toBe(
      ends.reduce((sum, event) => sum + event.usage.inputTokens, 0),
    )
  })

  it('keeps the thread as it is while it fits the budget', async () => {
    const store = createMemoryStore()
    const summarizer = createScriptedModel([])
    const model = createScriptedModel(['one', 'two'])
    const agent = defineAgent({
      id: 'pal',
      instructions: 'x',
      model,
      memory: { store, tokenBudget: 10_000, summarizer },
    })
    await agent.generate('a', { threadId: 't' })
    await agent.generate('b', { threadId: 't' })
    expect(summarizer.calls).toHaveLength(0)
    expect((await store.getThread!({ threadId: 't' }))?.summary).toBeUndefined()
  })
})
