import type { ReactNode } from 'react'

export interface Column {
  label: ReactNode
  className?: string
}

/**
 * A table in its own labelled region that scrolls sideways when narrow (focusable, so a keyboard can
 * scroll it), with one header row of column headers; `children` are its body rows.
 */
export function DataTable({ label, caption, columns, children }: { label: string; caption?: string; columns: readonly Column[]; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      <table className="table">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} scope="col" className={column.className}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
