'use client';

/** Replaces the root layout when it fails; renders its own document and inline styles. */
export default function GlobalError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', background: '#f6f7f9', color: '#1b1f27' }}>
        <main style={{ maxWidth: 560, margin: '80px auto', padding: 24 }}>
          <h1 style={{ fontSize: 20 }}>The Switchyard console is unavailable</h1>
          <p>Something failed while loading the console. Retry in a moment.</p>
          <button type="button" onClick={() => retry()}>
            Retry
          </button>
        </main>
      </body>
    </html>
  );
}
