import type { HTMLAttributes, ReactNode, TdHTMLAttributes } from "react";
import { withUnit } from "./label-text";

// The results' tables (class xp-table): a header row of columns, one body
// row per item, the first column usually the row's header. Rendered on the
// server or the client alike (no state).

type DataAttributes = { [key: `data-${string}`]: string | number | undefined };

export interface ResultColumn<Row> {
  /** Header text, or a node when the header carries more than words (a badge, a second line). */
  header: ReactNode;
  /** Added to a text header in brackets: "Host CPU (% of one core)". */
  unit?: string;
  /** Numbers: digits of equal width, so a column of them lines up. */
  numeric?: boolean;
  /** This column heads its row (<th scope="row">). */
  rowHeader?: boolean;
  /**
   * For a header cell that spans several rows (<th scope="rowgroup">): how
   * many rows the cell spans from this row, 0 where an earlier row's cell covers it.
   */
  rowSpan?: (row: Row, index: number) => number;
  className?: string;
  cell: (row: Row, index: number) => ReactNode;
  /** Per-cell attributes: data-testid, title, a class of its own. */
  cellProps?: (row: Row, index: number) => TdHTMLAttributes<HTMLTableCellElement> & DataAttributes;
}

export interface ResultTableProps<Row> {
  /** The table's accessible name (tests find tables by it). */
  label?: string;
  caption?: ReactNode;
  columns: readonly ResultColumn<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row, index: number) => string;
  rowProps?: (row: Row, index: number) => HTMLAttributes<HTMLTableRowElement> & DataAttributes;
  /** Rows after the items, written out (a summary row, a ratio across kinds). */
  extraRows?: ReactNode;
}

function classes(...names: (string | false | undefined)[]): string | undefined {
  return names.filter(Boolean).join(" ") || undefined;
}

export function ResultTable<Row>({ label, caption, columns, rows, rowKey, rowProps, extraRows }: ResultTableProps<Row>) {
  return (
    <table className="xp-table" aria-label={label}>
      {caption && <caption className="small muted xp-caption">{caption}</caption>}
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th scope="col" key={i}>
              {typeof c.header === "string" ? withUnit(c.header, c.unit) : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, r) => (
          <tr key={rowKey(row, r)} {...rowProps?.(row, r)}>
            {columns.map((c, i) => {
              const span = c.rowSpan?.(row, r);
              if (span === 0) return null;
              const props = { ...c.cellProps?.(row, r) };
              const className = classes(c.className, c.numeric && "xp-num", props.className);
              if (c.rowHeader)
                return (
                  <th key={i} scope={span === undefined ? "row" : "rowgroup"} rowSpan={span} {...props} className={className}>
                    {c.cell(row, r)}
                  </th>
                );
              return (
                <td key={i} {...props} className={className}>
                  {c.cell(row, r)}
                </td>
              );
            })}
          </tr>
        ))}
        {extraRows}
      </tbody>
    </table>
  );
}
