// @tessera/core/node: pieces that need Node.js APIs. Nothing in the main entry imports this.
export { closeOnSignals, type CloseOnSignalsOptions } from './close-on-signals'
export { defineConfig, type TesseraConfig, type TesseraConfigContext } from './define-config'
