/**
 * A table's caption, read by screen readers only (none without `caption`), and its header row; an empty
 * column name is the actions column.
 */
export function TableHead(props: { caption?: string; columns: string[] }) {
  return (
    <>
      {props.caption ? <caption class="sr-only">{props.caption}</caption> : null}
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column}>
              {column || <span class="sr-only">Actions</span>}
            </th>
          ))}
        </tr>
      </thead>
    </>
  );
}

/**
 * The buttons under a paged list: `labels` name the way back and the way on. `offset` is where the shown
 * page starts, `shown` how many rows it has; a page shorter than `size` is the last one.
 */
export function Pager(props: {
  labels: [string, string];
  offset: number;
  size: number;
  shown: number;
  go: (offset: number) => void;
}) {
  const { offset, size } = props;
  return (
    <div class="pager">
      <button
        type="button"
        class="secondary"
        disabled={offset === 0}
        onClick={() => props.go(Math.max(0, offset - size))}
      >
        {props.labels[0]}
      </button>
      <button
        type="button"
        class="secondary"
        disabled={props.shown < size}
        onClick={() => props.go(offset + size)}
      >
        {props.labels[1]}
      </button>
    </div>
  );
}
