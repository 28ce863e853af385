import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type ReactElement,
} from 'react'
import { filterPalette, paletteCategories, type PaletteItem } from './palette-items'

/** Where a palette item was dropped: on a canvas node, or on the empty canvas. */
export type PaletteDrop = { item: PaletteItem; nodeId: string | undefined }

/** Props of {@link DesignerPalette}. */
export interface DesignerPaletteProps {
  items: readonly PaletteItem[]
  /** Enter, Space or a click: add the item after the selected node. */
  onAdd: (item: PaletteItem) => void
  /** A pointer drag ended over the canvas (`[data-tsr-canvas]`). */
  onDrop: (drop: PaletteDrop) => void
  disabled?: boolean
}

/** How far (px) the pointer moves before a press becomes a drag. */
const dragThreshold = 4

/**
 * The palette: a search box and the items by category. Items are buttons (Enter or a click
 * adds one after the selected node) that can also be dragged onto the canvas with a pointer
 * (mouse, pen or touch; pointer events, so it works in headless browsers too).
 *
 * @example
 * ```tsx
 * <DesignerPalette items={paletteItems(registry)} onAdd={add} onDrop={drop} />
 * ```
 */
export function DesignerPalette(props: DesignerPaletteProps): ReactElement {
  const { items, onAdd, onDrop, disabled = false } = props
  const [query, setQuery] = useState('')
  const [drag, setDrag] = useState<{ item: PaletteItem; x: number; y: number } | null>(null)
  const press = useRef<{ item: PaletteItem; x: number; y: number; dragging: boolean } | null>(null)
  const suppressClick = useRef(false)
  const onDropRef = useRef(onDrop)
  onDropRef.current = onDrop
  const searchId = useId()
  const visible = useMemo(() => filterPalette(items, query), [items, query])

  useEffect(() => {
    const move = (event: PointerEvent) => {
      const current = press.current
      if (!current) return
      if (
        !current.dragging &&
        Math.hypot(event.clientX - current.x, event.clientY - current.y) < dragThreshold
      )
        return
      current.dragging = true
      setDrag({ item: current.item, x: event.clientX, y: event.clientY })
    }
    const up = (event: PointerEvent) => {
      const current = press.current
      press.current = null
      if (!current?.dragging) return
      setDrag(null)
      suppressClick.current = true
      const target = dropTarget(event)
      if (!target?.closest('[data-tsr-canvas]')) return
      const node = target.closest('[data-tsr-node-id]')
      onDropRef.current({
        item: current.item,
        nodeId: node?.getAttribute('data-tsr-node-id') ?? undefined,
      })
    }
    const cancel = () => {
      press.current = null
      setDrag(null)
    }
    window.addEventListener('pointermove', move)
    window.addEventListener('pointerup', up)
    window.addEventListener('pointercancel', cancel)
    return () => {
      window.removeEventListener('pointermove', move)
      window.removeEventListener('pointerup', up)
      window.removeEventListener('pointercancel', cancel)
    }
  }, [])

  const start = (item: PaletteItem) => (event: ReactPointerEvent<HTMLButtonElement>) => {
    if (disabled || event.button !== 0) return
    suppressClick.current = false
    press.current = { item, x: event.clientX, y: event.clientY, dragging: false }
  }

  return (
    <div className="tsr-palette" data-testid="tsr-palette">
      <label className="tsr-palette__search-label" htmlFor={searchId}>
        Components
      </label>
      <input
        id={searchId}
        className="tsr-palette__search"
        type="search"
        placeholder="Search components"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        data-testid="tsr-palette-search"
      />
      {paletteCategories.map((category) => {
        const entries = visible.filter((item) => item.category === category)
        if (entries.length === 0) return null
        const headingId = `${searchId}-${category}`
        return (
          <section key={category} className="tsr-palette__group" aria-labelledby={headingId}>
            <h3 id={headingId} className="tsr-palette__category">
              {category}
            </h3>
            <ul className="tsr-palette__list">
              {entries.map((item) => (
                <li key={item.key}>
                  <button
                    type="button"
                    className="tsr-palette__item"
                    data-testid={`tsr-palette-item-${item.key}`}
                    data-category={item.category}
                    title={item.description}
                    disabled={disabled}
                    onPointerDown={start(item)}
                    onClick={() => {
                      if (suppressClick.current) {
                        suppressClick.current = false
                        return
                      }
                      onAdd(item)
                    }}
                  >
                    {item.label}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )
      })}
      {visible.length === 0 ? <p className="tsr-palette__empty">No component matches.</p> : null}
      {drag ? (
        <div
          className="tsr-palette__ghost"
          aria-hidden="true"
          data-testid="tsr-palette-ghost"
          style={{ left: drag.x, top: drag.y }}
        >
          {drag.item.label}
        </div>
      ) : null}
    </div>
  )
}

/** The element under the pointer (the event target when the document cannot tell). */
function dropTarget(event: PointerEvent): Element | null {
  const fromPoint =
    typeof document.elementFromPoint === 'function'
      ? document.elementFromPoint(event.clientX, event.clientY)
      : null
  if (fromPoint) return fromPoint
  return event.target instanceof Element ? event.target : null
}
