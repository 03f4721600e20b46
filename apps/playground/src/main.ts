/** The page: wires the form controls to a {@link Session}. */
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { connect, exampleArguments, type PlaygroundNotification, type Session, type TransportKind } from './session.js';

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`the page has no #${id}`);
  return element as T;
};
const connectForm = $<HTMLFormElement>('connect-form');
const urlInput = $<HTMLInputElement>('url');
const connectButton = $<HTMLButtonElement>('connect');
const disconnectButton = $<HTMLButtonElement>('disconnect');
const statusLine = $<HTMLParagraphElement>('status');
const callForm = $<HTMLFormElement>('call-form');
const toolSelect = $<HTMLSelectElement>('tool');
const listButton = $<HTMLButtonElement>('list-tools');
const toolDescription = $<HTMLParagraphElement>('tool-description');
const argumentsInput = $<HTMLTextAreaElement>('arguments');
const callButton = $<HTMLButtonElement>('call');
const resultView = $<HTMLPreElement>('result');
const notificationList = $<HTMLOListElement>('notifications');

const LABEL: Record<TransportKind, string> = { http: 'Streamable HTTP', ws: 'WebSocket' };

/** Default URL per transport: `?http=…&ws=…`, else the page's meta tags (filled in by `pnpm dev`). */
const query = new URLSearchParams(location.search);
const defaults: Record<TransportKind, string> = {
  http: query.get('http') ?? metaContent('mcp-http-url'),
  ws: query.get('ws') ?? metaContent('mcp-ws-url'),
};
function metaContent(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
}

let session: Session | undefined;
/** Read through a call: TypeScript would keep a narrowing of `session` across an `await`. */
const connected = (): boolean => session !== undefined;
let tools: Tool[] = [];

const selectedKind = (): TransportKind =>
  (connectForm.elements.namedItem('transport') as RadioNodeList).value === 'ws' ? 'ws' : 'http';

function setStatus(state: 'disconnected' | 'connecting' | 'connected' | 'error', text: string): void {
  statusLine.dataset.state = state;
  statusLine.textContent = text;
  const connected = state === 'connected';
  connectButton.disabled = connected || state === 'connecting';
  disconnectButton.disabled = !connected;
  connectForm.querySelectorAll<HTMLInputElement>('input').forEach((input) => {
    input.disabled = connected;
  });
  for (const control of [toolSelect, listButton, argumentsInput, callButton]) control.disabled = !connected;
}

function showResult(text: string, error = false): void {
  resultView.textContent = text;
  resultView.dataset.error = String(error);
}

function addNotification({ kind, text }: PlaygroundNotification): void {
  const item = document.createElement('li');
  item.dataset.kind = kind;
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = now.toLocaleTimeString(undefined, { hour12: false });
  const label = document.createElement('span');
  label.className = 'kind';
  label.textContent = kind;
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  item.append(time, label, body);
  notificationList.append(item);
  item.scrollIntoView({ block: 'nearest' });
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// Switching transport swaps in that transport's default URL, unless the user typed their own.
connectForm.addEventListener('change', (event) => {
  if ((event.target as HTMLInputElement).name !== 'transport') return;
  const kind = selectedKind();
  if (Object.values(defaults).includes(urlInput.value) || urlInput.value === '') urlInput.value = defaults[kind];
});

connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void openSession(selectedKind(), urlInput.value.trim());
});

async function openSession(kind: TransportKind, url: string): Promise<void> {
  setStatus('connecting', `Connecting over ${LABEL[kind]} to ${url}…`);
  try {
    const opened = await connect(kind, url, {
      onnotification: addNotification,
      onclose: () => {
        if (session !== opened) return;
        session = undefined;
        setStatus('error', `The connection to ${url} closed.`);
      },
    });
    session = opened;
    setStatus('connected', `Connected to ${opened.serverName} over ${LABEL[kind]} (${url}).`);
    await refreshTools();
  } catch (error) {
    setStatus('error', `Could not connect over ${LABEL[kind]} to ${url}: ${messageOf(error)}`);
  }
}

disconnectButton.addEventListener('click', () => {
  const closing = session;
  session = undefined;
  toolSelect.replaceChildren();
  toolDescription.textContent = '';
  setStatus('disconnected', 'Disconnected.');
  closing?.close().catch((error: unknown) => {
    setStatus('error', `Disconnecting failed: ${messageOf(error)}`);
  });
});

listButton.addEventListener('click', () => void refreshTools());

async function refreshTools(): Promise<void> {
  if (!session) return;
  try {
    tools = await session.listTools();
  } catch (error) {
    showResult(`Listing tools failed: ${messageOf(error)}`, true);
    return;
  }
  const previous = toolSelect.value;
  toolSelect.replaceChildren(
    ...tools.map((tool) => new Option(tool.title ? `${tool.name} — ${tool.title}` : tool.name, tool.name)),
  );
  toolSelect.value = tools.some((tool) => tool.name === previous) ? previous : (tools[0]?.name ?? '');
  if (previous === '' && tools.some((tool) => tool.name === 'echo')) toolSelect.value = 'echo';
  toolSelect.dataset.count = String(tools.length);
  showTool();
}

function showTool(): void {
  const tool = tools.find(({ name }) => name === toolSelect.value);
  toolDescription.textContent = tool?.description ?? '';
  argumentsInput.value = tool ? JSON.stringify(exampleArguments(tool), null, 2) : '';
}
toolSelect.addEventListener('change', showTool);

callForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void callSelectedTool();
});

async function callSelectedTool(): Promise<void> {
  if (!session) return;
  let args: unknown;
  try {
    args = JSON.parse(argumentsInput.value.trim() || '{}');
  } catch (error) {
    showResult(`The arguments are not valid JSON: ${messageOf(error)}`, true);
    return;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    showResult('The arguments must be a JSON object, e.g. {"text": "hi"}.', true);
    return;
  }
  const name = toolSelect.value;
  showResult(`Calling ${name}…`);
  callButton.disabled = true;
  try {
    const result = await session.callTool(name, args as Record<string, unknown>);
    showResult(formatResult(result), result.isError === true);
  } catch (error) {
    showResult(`${name} failed: ${messageOf(error)}`, true);
  } finally {
    callButton.disabled = !connected();
  }
}

function formatResult(result: CallToolResult): string {
  const parts = result.content.map((part) => (part.type === 'text' ? part.text : JSON.stringify(part, null, 2)));
  if (result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  return parts.join('\n') || '(empty result)';
}

$<HTMLButtonElement>('clear').addEventListener('click', () => notificationList.replaceChildren());

urlInput.value = defaults[selectedKind()];
setStatus('disconnected', 'Not connected.');
