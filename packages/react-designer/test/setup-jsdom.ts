// jsdom lacks the layout APIs @xyflow/react measures nodes with: give it a ResizeObserver that
// reports once on observe, DOMMatrixReadOnly for the viewport's scale, and non-zero element
// sizes (from inline styles, else 1px), as xyflow's testing guide describes. Environment setup
// only: the components under test run unchanged.
class ResizeObserverForTests {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element) {
    this.callback([{ target } as ResizeObserverEntry], this as unknown as ResizeObserver)
  }
  unobserve() {}
  disconnect() {}
}

class DOMMatrixReadOnlyForTests {
  m22: number
  constructor(transform?: string) {
    const scale = transform?.match(/scale\(([0-9.]+)\)/)?.[1]
    this.m22 = scale === undefined ? 1 : Number(scale)
  }
}

if (typeof window !== 'undefined') {
  const globals = globalThis as Record<string, unknown>
  globals.ResizeObserver ??= ResizeObserverForTests
  globals.DOMMatrixReadOnly ??= DOMMatrixReadOnlyForTests
  Object.defineProperties(HTMLElement.prototype, {
    offsetHeight: {
      configurable: true,
      get(this: HTMLElement) {
        return parseFloat(this.style.height) || 1
      },
    },
    offsetWidth: {
      configurable: true,
      get(this: HTMLElement) {
        return parseFloat(this.style.width) || 1
      },
    },
  })
  ;(SVGElement.prototype as unknown as { getBBox: () => object }).getBBox = () => ({
    x: 0,
    y: 0,
    width: 0,
    height: 0,
  })
}
