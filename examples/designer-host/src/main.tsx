// First: under a strict Content Security Policy, zod is configured before any schema is built.
import './strict-csp'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '@tessera/react-designer/style.css'
import './host.css'
import { App } from './app'

// The host page. The designer's end-to-end tests and benchmark drive this page in Chromium.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
