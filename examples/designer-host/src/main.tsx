import { DefinitionOutline } from '@tessera/react-designer'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import '@tessera/react-designer/style.css'
import { sampleDefinition } from './sample-definition'

// The host page. The designer's end-to-end tests drive this page in Chromium.
function App() {
  return (
    <main>
      <h1>Tessera designer host</h1>
      <DefinitionOutline definition={sampleDefinition} />
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
