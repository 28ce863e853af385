import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// A plain Vite + React host: it consumes the packages through their built entry points, as an
// application that installed them from npm would.
export default defineConfig({
  plugins: [react()],
})
