import { useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/**
 * A bar chart drawn by uPlot on a canvas. To assistive technology it is one image
 * (`role="img"`) whose name is `label`; the numbers are also in the table next to it.
 */
export function BarChart(props: { label: string; periods: string[]; values: number[]; color?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const { periods, values } = props;
    const color = props.color ?? '#0b5cad';
    const opts: uPlot.Options = {
      width: Math.max(el.clientWidth, 280),
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, range: [-0.5, periods.length - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.15] },
      },
      axes: [
        {
          stroke: '#444',
          grid: { show: false },
          splits: () => periods.map((_, i) => i),
          values: (_u, splits) => {
            const every = Math.ceil(periods.length / 8);
            return splits.map((i) => (i % every === 0 ? shortLabel(periods[i] ?? '') : ''));
          },
        },
        {
          stroke: '#444',
          grid: { stroke: '#e3e3e8' },
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10000],
        },
      ],
      series: [
        {},
        {
          label: props.label,
          stroke: color,
          fill: `${color}99`,
          width: 1,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.7, 48] }),
        },
      ],
    };
    const plot = new uPlot(opts, [periods.map((_, i) => i), values], el);
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(el.clientWidth, 280), height: 220 }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [props.periods.join(), props.values.join()]);
  return <div class="chart" ref={box} role="img" aria-label={props.label}></div>;
}

/** `2026-12-01` → `12-01`; weeks and months stay as they are. */
function shortLabel(period: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(period) ? period.slice(5) : period;
}
