import { useState } from 'preact/hooks';
import { Api, AUTH_METHODS, Range } from '../api.ts';
import { BarChart } from '../components/bar-chart.tsx';
import { TableHead } from '../components/table.tsx';
import { Show, useLoad } from '../components/ui.tsx';
import { lastPeriods } from '../periods.ts';
import { VIEW_LOGIN_ACTIVITY } from '../session.ts';

const RANGES: [Range, string, string][] = [
  ['daily', 'Per day', 'per day, last 30 days'],
  ['weekly', 'Per week', 'per week, last 12 weeks'],
  ['monthly', 'Per month', 'per month, last 12 months'],
];

interface Dashboard {
  periods: string[];
  active: number[];
  methods: [string, number][];
  failures: number[];
  failuresByMethod: [string, number][];
}

async function loadDashboard(api: Api, range: Range): Promise<Dashboard> {
  const { start, end, keys } = lastPeriods(range);
  const [report, failures, methodCounts] = await Promise.all([
    api.activeUsers(range, start, end),
    api.failures(range, start, end),
    Promise.all(
      AUTH_METHODS.map((m) =>
        api.countLogins({ loginType: 'ACCESS', authMethod: m, loginTime: { gte: start.toISOString() } }),
      ),
    ),
  ]);
  // Active users of a period: the distinct actors of its sign-ins and refreshes.
  const active = keys.map((k) => {
    const actors = new Set<string>();
    for (const [type, rows] of Object.entries(report[k] ?? {})) {
      if (type !== 'LOGOUT') for (const r of rows) actors.add(r.actor);
    }
    return actors.size;
  });
  const byMethod = new Map<string, number>();
  for (const counts of Object.values(failures)) {
    for (const [m, n] of Object.entries(counts)) byMethod.set(m, (byMethod.get(m) ?? 0) + n);
  }
  return {
    periods: keys,
    active,
    methods: AUTH_METHODS.map((m, i) => [m, methodCounts[i] ?? 0] as [string, number]).filter(
      ([, n]) => n > 0,
    ),
    failures: keys.map((k) => Object.values(failures[k] ?? {}).reduce((a, b) => a + b, 0)),
    failuresByMethod: [...byMethod],
  };
}

export function DashboardPage(props: { api: Api }) {
  const [range, setRange] = useState<Range>('daily');
  const [loaded] = useLoad(() => loadDashboard(props.api, range), [range]);
  const [, , span] = RANGES.find(([r]) => r === range)!;
  return (
    <>
      <h1>Dashboard</h1>
      <fieldset class="segmented">
        <legend>Period</legend>
        {RANGES.map(([r, label]) => (
          <label key={r}>
            <input type="radio" name="range" value={r} checked={range === r} onChange={() => setRange(r)} />
            {label}
          </label>
        ))}
      </fieldset>
      <Show loaded={loaded} permission={VIEW_LOGIN_ACTIVITY}>
        {(d) => {
          const total = d.failures.reduce((a, b) => a + b, 0);
          const peak = Math.max(0, ...d.active);
          const label = `Active users ${span}: ` + d.periods.map((p, i) => `${p}: ${d.active[i]}`).join(', ');
          return (
            <div class="grid">
              <section class="card wide" aria-labelledby="active-title">
                <h2 id="active-title">Active users</h2>
                <p class="muted">
                  Distinct members who signed in or refreshed a session, {span}. Highest: {peak}.
                </p>
                <BarChart label={label} periods={d.periods} values={d.active} />
                <details>
                  <summary>Show the numbers</summary>
                  <table>
                    <TableHead caption={`Active users ${span}`} columns={['Period', 'Active users']} />
                    <tbody>
                      {d.periods.map((p, i) => (
                        <tr key={p}>
                          <td>{p}</td>
                          <td class="num">{d.active[i]}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </details>
              </section>
              <section class="card" aria-labelledby="methods-title">
                <h2 id="methods-title">Sign-ins per method</h2>
                <p class="muted">New sessions since {d.periods[0]}.</p>
                {d.methods.length ? (
                  <table>
                    <TableHead columns={['Method', 'Sign-ins']} />
                    <tbody>
                      {d.methods.map(([m, n]) => (
                        <tr key={m}>
                          <td>{m}</td>
                          <td class="num">{n}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : (
                  <p>No sign-ins in this period.</p>
                )}
              </section>
              <section class="card" aria-labelledby="failures-title">
                <h2 id="failures-title">Failed sign-ins</h2>
                <p>
                  <strong class="big">{total}</strong> wrong passwords since {d.periods[0]}.
                </p>
                <BarChart
                  label={`Failed sign-ins ${span}: total ${total}`}
                  periods={d.periods}
                  values={d.failures}
                  color="#b3261e"
                />
                {d.failuresByMethod.length ? (
                  <ul>
                    {d.failuresByMethod.map(([m, n]) => (
                      <li key={m}>
                        {m}: {n}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </section>
            </div>
          );
        }}
      </Show>
    </>
  );
}
