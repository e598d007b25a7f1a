import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useDeferredValue, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ok } from '../api/client.ts';
import { PageShown } from '../components/page-shown.tsx';
import { Failure } from '../components/failure.tsx';
import { When } from '../format.tsx';
import { useSession } from '../session.tsx';

const CLEARANCES: [number, string][] = [
  [1, 'Student'],
  [2, 'Checker'],
  [3, 'Staff'],
  [5, 'Admin'],
];
const SCOPES = ['user_info', 'user_courses', 'user_scores', 'user_submit', 'instructor_all', 'admin_all'] as const;

function Problem({ error }: { error: Error | null }) {
  return error ? (
    <p className="error" role="alert">
      {error.message}
    </p>
  ) : null;
}

function Health() {
  const health = useQuery({ queryKey: ['admin', 'health'], queryFn: () => ok(api.GET('/admin/health/')) });
  if (health.isPending) return <p className="loading">Asking the server…</p>;
  if (health.isError) return <Failure error={health.error} />;
  const h = health.data;
  const state = (okay: boolean) => <strong className={okay ? 'good' : 'error'}>{okay ? 'OK' : 'Failing'}</strong>;
  const jobs = h.grading.jobs ? Object.entries(h.grading.jobs).map(([status, n]) => `${n} ${status}`).join(', ') : 'unknown';
  return (
    <>
      <ul className="health" aria-label="Server health">
        <li className="card">
          <span>Database ({h.database.engine})</span> {state(h.database.ok)} {h.database.error && <span className="error">{h.database.error}</span>}
        </li>
        <li className="card">
          <span>Blobs</span> {state(h.blobs.ok)} {h.blobs.error && <span className="error">{h.blobs.error}</span>}
        </li>
        <li className="card">
          <span>Sandbox</span> {state(h.sandbox.ok)}
          <span className="muted">{h.sandbox.ok ? `cgroups: ${h.sandbox.cgroup_driver ?? '—'}, separation: ${h.sandbox.separation ?? '—'}` : h.sandbox.error}</span>
        </li>
        <li className="card">
          <span>Grading queue ({h.grading.queue})</span>
          <span className="muted">{jobs}</span>
        </li>
      </ul>
      <button type="button" onClick={() => void health.refetch()}>
        Check again
      </button>
    </>
  );
}

function NewUser() {
  const client = useQueryClient();
  const [form, setForm] = useState({ username: '', password: '', clearance: 1, email: '', first_name: '', last_name: '' });
  const create = useMutation({
    mutationFn: () => ok(api.POST('/admin/users/', { body: { ...form, clearance: form.clearance as 1 | 2 | 3 | 5 } })),
    onSuccess: () => {
      setForm({ username: '', password: '', clearance: 1, email: '', first_name: '', last_name: '' });
      void client.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  const field = (name: 'username' | 'password' | 'email' | 'first_name' | 'last_name', label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} required={name === 'username' || name === 'password'} autoComplete="off" />
    </label>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="New account">
      <fieldset>
        <legend>New account</legend>
        <div className="row">
          {field('username', 'Username')}
          {field('password', 'Password', 'password')}
          <label>
            Clearance
            <select value={form.clearance} onChange={(e) => setForm({ ...form, clearance: Number(e.target.value) })}>
              {CLEARANCES.map(([value, name]) => (
                <option key={value} value={value}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {field('email', 'Email', 'email')}
          {field('first_name', 'First name')}
          {field('last_name', 'Last name')}
          <button type="submit" className="primary" disabled={create.isPending}>
            Create account
          </button>
        </div>
        {create.isSuccess && <p role="status">Created {create.data.username}.</p>}
        <Problem error={create.error} />
      </fieldset>
    </form>
  );
}

function Users({ myId }: { myId: number }) {
  const client = useQueryClient();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: () => ok(api.GET('/admin/users/')) });
  const [text, setText] = useState('');
  const needle = useDeferredValue(text.trim().toLowerCase());
  const [resetting, setResetting] = useState<number | null>(null);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState('');
  const change = useMutation({
    mutationFn: (input: { id: number; body: { clearance?: 1 | 2 | 3 | 5; is_active?: boolean; password?: string } }) =>
      ok(api.PATCH('/admin/users/{id}/', { params: { path: { id: input.id } }, body: input.body })),
    onSuccess: (user, input) => {
      setDone(input.body.password ? `The password of ${user.username} is reset.` : `${user.username} is changed.`);
      setResetting(null);
      setPassword('');
      void client.invalidateQueries({ queryKey: ['admin', 'users'] });
    },
  });
  if (users.isPending) return <p className="loading">Loading the accounts…</p>;
  if (users.isError) return <Failure error={users.error} />;
  const shown = users.data.filter((u) => needle === '' || [u.username, u.email, `${u.first_name} ${u.last_name}`].some((v) => v.toLowerCase().includes(needle)));
  return (
    <>
      <label>
        Find an account
        <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Username, name or email" />
      </label>
      <p role="status">{done}</p>
      <Problem error={change.error} />
      <div className="table-wrap">
        <table aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Clearance</th>
              <th scope="col">Active</th>
              <th scope="col">Password</th>
            </tr>
          </thead>
          <tbody>
            {shown.slice(0, 200).map((u) => (
              <tr key={u.id} data-username={u.username}>
                <th scope="row">{u.username}</th>
                <td>{`${u.first_name} ${u.last_name}`.trim()}</td>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`Clearance of ${u.username}`}
                    value={u.clearance}
                    disabled={u.id === myId}
                    onChange={(e) => change.mutate({ id: u.id, body: { clearance: Number(e.target.value) as 1 | 2 | 3 | 5 } })}
                  >
                    {CLEARANCES.map(([value, name]) => (
                      <option key={value} value={value}>
                        {name}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {u.id === myId ? (
                    'You'
                  ) : (
                    <button type="button" onClick={() => change.mutate({ id: u.id, body: { is_active: !u.is_active } })}>
                      {u.is_active ? `Deactivate ${u.username}` : `Activate ${u.username}`}
                    </button>
                  )}
                </td>
                <td>
                  {resetting === u.id ? (
                    <form
                      className="row"
                      onSubmit={(e) => {
                        e.preventDefault();
                        change.mutate({ id: u.id, body: { password } });
                      }}
                    >
                      <label>
                        New password for {u.username}
                        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required autoComplete="new-password" />
                      </label>
                      <button type="submit" className="primary">
                        Save password
                      </button>
                      <button type="button" onClick={() => setResetting(null)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <button type="button" onClick={() => setResetting(u.id)}>
                      Reset password of {u.username}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {shown.length > 200 && <p className="muted">The first 200 of {shown.length}: narrow the search.</p>}
    </>
  );
}

function Clients() {
  const client = useQueryClient();
  const clients = useQuery({ queryKey: ['admin', 'clients'], queryFn: () => ok(api.GET('/admin/oauth-clients/')) });
  const [name, setName] = useState('');
  const [uris, setUris] = useState('');
  const [scopes, setScopes] = useState<string[]>(['user_info']);
  const refresh = () => void client.invalidateQueries({ queryKey: ['admin', 'clients'] });
  const create = useMutation({
    mutationFn: () =>
      ok(api.POST('/admin/oauth-clients/', { body: { name, redirect_uris: uris.split(/\s+/).filter((u) => u !== ''), scopes: scopes as (typeof SCOPES)[number][] } })),
    onSuccess: () => {
      setName('');
      setUris('');
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: number) => ok(api.DELETE('/admin/oauth-clients/{id}/', { params: { path: { id } } })), onSuccess: refresh });
  return (
    <>
      {clients.isPending ? (
        <p className="loading">Loading the applications…</p>
      ) : clients.isError ? (
        <Failure error={clients.error} />
      ) : clients.data.length === 0 ? (
        <p>No application is registered.</p>
      ) : (
        <div className="table-wrap">
          <table aria-label="OAuth applications">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Redirect URIs</th>
                <th scope="col">Live tokens</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {clients.data.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>
                    <code>{c.client_id}</code>
                  </td>
                  <td>{c.scopes.join(' ')}</td>
                  <td>{c.redirect_uris.join(' ')}</td>
                  <td>{c.live_tokens}</td>
                  <td>
                    <button type="button" onClick={() => window.confirm(`Delete ${c.name}? Everyone signed in through it is signed out.`) && remove.mutate(c.id)}>
                      Delete {c.name}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Problem error={remove.error} />
      <form
        aria-label="New application"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <fieldset>
          <legend>New application</legend>
          <div className="row">
            <label>
              Name
              <input value={name} onChange={(e) => setName(e.target.value)} required />
            </label>
            <label>
              Redirect URIs (one per line)
              <textarea value={uris} onChange={(e) => setUris(e.target.value)} rows={2} required />
            </label>
          </div>
          <div className="row" role="group" aria-label="Scopes">
            {SCOPES.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))} /> {s}
              </label>
            ))}
          </div>
          <button type="submit" className="primary" disabled={create.isPending}>
            Register application
          </button>
          {create.isSuccess && (
            <div role="status">
              <p>
                Registered {create.data.name}. Its secret is shown this once: copy it now.
              </p>
              <p className="secret">
                client_id {create.data.client_id}
                <br />
                client_secret {create.data.client_secret}
              </p>
            </div>
          )}
          <Problem error={create.error} />
        </fieldset>
      </form>
    </>
  );
}

function Tokens() {
  const client = useQueryClient();
  const tokens = useQuery({ queryKey: ['admin', 'tokens'], queryFn: () => ok(api.GET('/admin/tokens/')) });
  const revoke = useMutation({
    mutationFn: (id: number) => ok(api.DELETE('/admin/tokens/{id}/', { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'tokens'] }),
  });
  if (tokens.isPending) return <p className="loading">Loading the tokens…</p>;
  if (tokens.isError) return <Failure error={tokens.error} />;
  if (tokens.data.length === 0) return <p>Nobody holds a personal token.</p>;
  return (
    <div className="table-wrap">
      <Problem error={revoke.error} />
      <table aria-label="Personal tokens">
        <thead>
          <tr>
            <th scope="col">Owner</th>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {tokens.data.map((t) => (
            <tr key={t.id}>
              <th scope="row">{t.user.username}</th>
              <td>{t.name}</td>
              <td>
                <When at={t.created_at} />
              </td>
              <td>
                <When at={t.last_used_at} empty="never" />
              </td>
              <td>
                <button type="button" onClick={() => revoke.mutate(t.id)}>
                  Revoke {t.name} of {t.user.username}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The server's admin page (admins; the server refuses anyone else): its health, accounts
 * (create, reset a password, change clearance, deactivate), OAuth client applications and
 * everyone's personal tokens, on one page.
 */
export default function AdminPage() {
  const { me } = useSession();
  if (!me) return null;
  if (me.role !== 'admin') return <p className="error">This page is for administrators.</p>;
  return (
    <>
      <h1>Administration</h1>
      <PageShown page="admin" />
      <section aria-labelledby="health">
        <h2 id="health">Health</h2>
        <Health />
      </section>
      <section className="admin-section" aria-labelledby="accounts">
        <h2 id="accounts">Accounts</h2>
        <NewUser />
        <Users myId={me.id} />
      </section>
      <section className="admin-section" aria-labelledby="applications">
        <h2 id="applications">OAuth applications</h2>
        <Clients />
      </section>
      <section className="admin-section" aria-labelledby="tokens">
        <h2 id="tokens">Personal tokens</h2>
        <Tokens />
      </section>
    </>
  );
}
