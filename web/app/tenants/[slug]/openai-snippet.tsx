'use client';

import { useState } from 'react';
import { CopyButton } from '../../../components/copy-button';
import styles from './tenant.module.css';

type Language = 'typescript' | 'python' | 'curl';

function snippetFor(language: Language, baseUrl: string): string {
  switch (language) {
    case 'typescript':
      return `import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: '${baseUrl}',
  apiKey: process.env.SWITCHYARD_API_KEY,
});

const completion = await client.chat.completions.create({
  model: 'mock-gpt',
  messages: [{ role: 'user', content: 'Hello from Switchyard' }],
});
console.log(completion.choices[0]?.message.content);`;
    case 'python':
      return `import os
from openai import OpenAI

client = OpenAI(base_url="${baseUrl}", api_key=os.environ["SWITCHYARD_API_KEY"])

completion = client.chat.completions.create(
    model="mock-gpt",
    messages=[{"role": "user", "content": "Hello from Switchyard"}],
)
print(completion.choices[0].message.content)`;
    case 'curl':
      return `curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer $SWITCHYARD_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model":"mock-gpt","messages":[{"role":"user","content":"Hello from Switchyard"}]}'`;
  }
}

const LANGUAGES: ReadonlyArray<{ value: Language; label: string }> = [
  { value: 'typescript', label: 'Node.js' },
  { value: 'python', label: 'Python' },
  { value: 'curl', label: 'curl' },
];

export function OpenAiSnippet({ baseUrl }: { baseUrl: string }) {
  const [language, setLanguage] = useState<Language>('typescript');
  const snippet = snippetFor(language, baseUrl);
  return (
    <div>
      <div className="label">OpenAI base URL</div>
      <div className={styles.baseUrl}>
        <code data-testid="openai-base-url">{baseUrl}</code>
        <CopyButton text={baseUrl} testId="copy-base-url" />
      </div>
      <div className={styles.tabs} role="tablist" aria-label="Language">
        {LANGUAGES.map((option) => (
          <button
            key={option.value}
            type="button"
            role="tab"
            aria-selected={language === option.value}
            className={`${styles.tab} ${language === option.value ? styles.tabActive : ''}`}
            onClick={() => setLanguage(option.value)}
          >
            {option.label}
          </button>
        ))}
        <span style={{ flex: 1 }} />
        <CopyButton text={snippet} label="Copy snippet" testId="copy-snippet" />
      </div>
      <pre className={styles.snippet} data-testid="openai-snippet">
        <code>{snippet}</code>
      </pre>
      <p className="muted" style={{ margin: '8px 0 0', fontSize: 12.5 }}>
        Set <code>SWITCHYARD_API_KEY</code> to a key from this tenant. Any OpenAI-compatible SDK works the same way.
      </p>
    </div>
  );
}
