import type { OutlineItem } from './to-outline-tree'

/** An item of the outline as it is laid out now, with its parent. */
export interface VisibleItem {
  item: OutlineItem
  parentKey: string | undefined
  expanded: boolean
}

/**
 * The items a person can see, top to bottom: children of collapsed items are left out.
 *
 * @example
 * ```ts
 * visibleItems(toOutlineTree(definition), new Set(['root'])) // only the root: it is collapsed
 * ```
 */
export function visibleItems(
  items: readonly OutlineItem[],
  collapsed: ReadonlySet<string>,
  parentKey?: string,
): VisibleItem[] {
  const out: VisibleItem[] = []
  for (const item of items) {
    const expanded = item.children.length > 0 && !collapsed.has(item.key)
    out.push({ item, parentKey, expanded })
    if (expanded) out.push(...visibleItems(item.children, collapsed, item.key))
  }
  return out
}

/** What a key press in the tree does (WAI-ARIA tree view pattern). */
export type TreeAction =
  | { type: 'focus'; key: string }
  | { type: 'expand'; key: string }
  | { type: 'collapse'; key: string }
  | { type: 'select'; key: string }

/**
 * Maps a key press on the focused item to an action: arrows move focus (Right expands, then
 * enters; Left collapses, then goes to the parent), Home and End jump, Enter and Space select.
 * Returns undefined for keys the tree does not handle.
 *
 * @example
 * ```ts
 * treeAction(visibleItems(tree, collapsed), 'root', 'ArrowDown') // { type: 'focus', key: 'root.children[0]' }
 * ```
 */
export function treeAction(
  visible: readonly VisibleItem[],
  focusedKey: string,
  key: string,
): TreeAction | undefined {
  const index = visible.findIndex((entry) => entry.item.key === focusedKey)
  const current = visible[index]
  if (current === undefined) return undefined
  const focus = (entry: VisibleItem | undefined): TreeAction | undefined =>
    entry ? { type: 'focus', key: entry.item.key } : undefined
  switch (key) {
    case 'ArrowDown':
      return focus(visible[index + 1])
    case 'ArrowUp':
      return focus(visible[index - 1])
    case 'Home':
      return focus(visible[0])
    case 'End':
      return focus(visible[visible.length - 1])
    case 'ArrowRight':
      if (current.item.children.length === 0) return undefined
      return current.expanded
        ? focus(visible[index + 1])
        : { type: 'expand', key: current.item.key }
    case 'ArrowLeft':
      if (current.expanded) return { type: 'collapse', key: current.item.key }
      return current.parentKey === undefined ? undefined : { type: 'focus', key: current.parentKey }
    case 'Enter':
    case ' ':
      return { type: 'select', key: current.item.key }
    default:
      return undefined
  }
}
