import { describe, expect, it } from 'vitest'
import { ConnectorError } from '@tessera/core'
import { createSdkLoader, loadSdk } from './load-sdk'

const notInstalled = () =>
  Object.assign(new Error("Cannot find package 'left-pad'"), { code: 'ERR_MODULE_NOT_FOUND' })

describe('loadSdk', () => {
  it('turns a failed import into invalid-config naming the package, the cause kept', async () => {
    const cause = notInstalled()
    const error = await loadSdk(
      () => Promise.reject(cause),
      'left-pad',
      'Padding',
      'pad',
      'pad-left',
    )
      .then(() => undefined)
      .catch((caught: unknown) => caught)
    expect(ConnectorError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ connector: 'pad', action: 'pad-left', reason: 'invalid-config' })
    expect((error as Error).message).toContain('install left-pad to use the Padding connector')
    expect((error as Error).cause).toBe(cause)
  })
})

describe('createSdkLoader', () => {
  it('imports once and shares the module', async () => {
    let imports = 0
    const load = createSdkLoader(async () => ({ version: ++imports }), 'left-pad', 'Padding')
    const [first, second] = await Promise.all([load('pad', 'a'), load('pad', 'b')])
    expect(first).toBe(second)
    expect(await load('pad', 'c')).toEqual({ version: 1 })
    expect(imports).toBe(1)
  })

  it('forgets a failed import, so a later call imports again', async () => {
    let imports = 0
    const load = createSdkLoader(
      async () => {
        imports++
        if (imports === 1) throw notInstalled()
        return { ok: true }
      },
      'left-pad',
      'Padding',
    )
    await expect(load('pad', 'a')).rejects.toMatchObject({ reason: 'invalid-config' })
    await expect(load('pad', 'a')).resolves.toEqual({ ok: true })
    expect(imports).toBe(2)
  })
})
