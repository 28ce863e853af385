#!/usr/bin/env node
// The `tessera` executable: `tessera serve | worker | migrate`. See docs/sidecar.md.
import { readFileSync } from 'node:fs'
import process from 'node:process'
import { URL } from 'node:url'
import { runCli } from '../dist/cli.js'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
runCli(process.argv.slice(2), { version }).then((code) => process.exit(code))
