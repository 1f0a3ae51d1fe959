// A small TCP proxy for tests that need faults on the wire between a client and a broker: it listens
// on 127.0.0.1 only and forwards each connection to a target that can be changed at runtime. Faults
// are switched on and off while connections are open:
//
// - reset:       a connection is reset (RST, not FIN) when the client sends on it, optionally after a
//                number of its bytes went through (a request cut in the middle);
// - blackHole:   the client's bytes are read and dropped and nothing comes back: a half-open peer. A
//                connection that was black-holed stays so for life (the broker has lost bytes of it);
//                new connections under the fault never reach the target;
// - delayMs:     what the target sends is held that long before the client gets it (order kept);
// - stopReading: the proxy stops reading from clients; once the kernel buffers fill, the client's
//                writes meet TCP backpressure (a slow reader);
// - refuse:      the proxy stops listening, so new connections are refused; open ones carry on.
//
// heal() clears every fault (and listens again on the same port); close() ends everything.

import net from 'node:net'

export interface ProxyTarget {
  host: string
  port: number
}

export interface TcpProxyFaults {
  /** Reset a connection when its client sends; `afterBytes` of the client's bytes go through first. */
  reset: false | { afterBytes: number }
  blackHole: boolean
  delayMs: number
  stopReading: boolean
  refuse: boolean
}

export interface TcpProxyStats {
  /** Connections accepted since start. */
  accepted: number
  /** Connections the proxy reset. */
  reset: number
  bytesFromClients: number
  bytesToClients: number
  /** Client bytes dropped by a black hole. */
  bytesDropped: number
}

export interface TcpProxyOptions {
  target: ProxyTarget
  /** 0 (default): a free port. A fixed port lets a proxy be closed and another bound in its place. */
  port?: number
}

const NO_FAULTS: TcpProxyFaults = { reset: false, blackHole: false, delayMs: 0, stopReading: false, refuse: false }

interface Link {
  client: net.Socket
  upstream: net.Socket | undefined
  /** Client bytes still to forward before a reset fault cuts the connection. */
  resetBudget: number | undefined
  blackHoled: boolean
  /**
   * The target's chunks held back, in arrival order, each with the time it is due (never before the
   * one ahead of it, so chunks keep their order when the delay changes or heals); one timer, for the
   * first. Timers of different durations due at the same moment may fire in any order, so each chunk
   * does not get its own.
   */
  delayed: Array<{ chunk: Buffer; dueAt: number }>
  timer: NodeJS.Timeout | undefined
  /** The target closed its side: the client's side ends once the delayed chunks are out. */
  upstreamEnded: boolean
}

export class TcpProxy {
  readonly stats: TcpProxyStats = { accepted: 0, reset: 0, bytesFromClients: 0, bytesToClients: 0, bytesDropped: 0 }
  private faults: TcpProxyFaults = { ...NO_FAULTS }
  private server: net.Server | undefined
  private readonly links = new Set<Link>()
  private closed = false

  private constructor(
    private target: ProxyTarget,
    private boundPort: number,
  ) {}

  /** Starts a proxy listening on 127.0.0.1 and forwarding to `options.target`. */
  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy({ ...options.target }, options.port ?? 0)
    await proxy.listen()
    return proxy
  }

  get port(): number {
    return this.boundPort
  }

  /** `127.0.0.1:port`, for a client's `brokers` list. */
  get address(): string {
    return `127.0.0.1:${this.boundPort}`
  }

  /** Connections open now. */
  get connections(): number {
    return this.links.size
  }

  /** New connections go to `target`; open ones stay with the target they were opened to. */
  retarget(target: ProxyTarget): void {
    this.target = { ...target }
  }

  /** Switches faults on or off; the ones not named keep their state. */
  async setFaults(faults: Partial<TcpProxyFaults>): Promise<void> {
    const before = this.faults
    this.faults = { ...before, ...faults }
    if (faults.reset !== undefined)
      for (const link of this.links) link.resetBudget = faults.reset === false ? undefined : faults.reset.afterBytes
    if (faults.stopReading !== undefined && faults.stopReading !== before.stopReading)
      for (const link of this.links) this.applyReading(link)
    if (faults.blackHole === true) for (const link of this.links) link.blackHoled = true
    if (faults.refuse === true && !before.refuse) await this.stopListening()
    if (faults.refuse === false && before.refuse) await this.listen()
  }

  /** Clears every fault; black-holed connections stay dead, new ones are forwarded again. */
  async heal(): Promise<void> {
    await this.setFaults(NO_FAULTS)
  }

  /** Resets every open connection now. */
  resetAll(): void {
    for (const link of [...this.links]) this.resetLink(link)
  }

  /** Stops listening and destroys every connection. */
  async close(): Promise<void> {
    this.closed = true
    for (const link of [...this.links]) this.dropLink(link)
    await this.stopListening()
  }

  private async listen(): Promise<void> {
    if (this.closed || this.server !== undefined) return
    const server = net.createServer((client) => this.accept(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.boundPort, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.boundPort = (server.address() as net.AddressInfo).port
    this.server = server
  }

  private async stopListening(): Promise<void> {
    const server = this.server
    if (server === undefined) return
    this.server = undefined
    // close() stops accepting at once; its callback would wait for the open connections, which
    // carry on (refuse) or are ours to end (close)
    server.close()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }

  private accept(client: net.Socket): void {
    this.stats.accepted++
    const link: Link = {
      client,
      upstream: undefined,
      resetBudget: this.faults.reset === false ? undefined : this.faults.reset.afterBytes,
      blackHoled: this.faults.blackHole,
      delayed: [],
      timer: undefined,
      upstreamEnded: false,
    }
    this.links.add(link)
    client.on('error', () => this.dropLink(link))
    client.on('close', () => this.dropLink(link))
    client.on('end', () => link.upstream?.end())
    client.on('data', (chunk: Buffer) => this.fromClient(link, chunk))
    this.applyReading(link)
    if (link.blackHoled) return
    const upstream = net.connect({ host: this.target.host, port: this.target.port })
    link.upstream = upstream
    upstream.on('error', () => this.resetLink(link))
    upstream.on('close', () => {
      link.upstreamEnded = true
      this.endClientWhenFlushed(link)
    })
    upstream.on('data', (chunk: Buffer) => this.fromUpstream(link, chunk))
  }

  private fromClient(link: Link, chunk: Buffer): void {
    this.stats.bytesFromClients += chunk.length
    if (link.blackHoled) {
      this.stats.bytesDropped += chunk.length
      return
    }
    if (link.resetBudget !== undefined) {
      const through = chunk.subarray(0, link.resetBudget)
      link.resetBudget -= through.length
      if (through.length > 0) link.upstream?.write(through)
      if (link.resetBudget === 0) this.resetLink(link)
      return
    }
    // the target reading slowly slows the client down too
    if (link.upstream?.write(chunk) === false) {
      link.client.pause()
      link.upstream.once('drain', () => this.applyReading(link))
    }
  }

  private fromUpstream(link: Link, chunk: Buffer): void {
    if (link.blackHoled) return
    const delay = this.faults.delayMs
    if (delay <= 0 && link.delayed.length === 0) {
      this.toClient(link, chunk)
      return
    }
    const last = link.delayed.at(-1)
    link.delayed.push({ chunk, dueAt: Math.max(Date.now() + delay, last?.dueAt ?? 0) })
    if (link.timer === undefined) this.scheduleDelayed(link)
  }

  /** Sends the held chunks that are due, in order, and waits for the next one. */
  private flushDelayed(link: Link): void {
    link.timer = undefined
    const now = Date.now()
    while (link.delayed.length > 0 && link.delayed[0]!.dueAt <= now) {
      const { chunk } = link.delayed.shift()!
      if (!link.blackHoled) this.toClient(link, chunk)
    }
    if (link.delayed.length > 0) this.scheduleDelayed(link)
    else this.endClientWhenFlushed(link)
  }

  private scheduleDelayed(link: Link): void {
    const first = link.delayed[0]
    if (first === undefined) return
    link.timer = setTimeout(() => this.flushDelayed(link), Math.max(0, first.dueAt - Date.now()))
  }

  private toClient(link: Link, chunk: Buffer): void {
    if (link.client.destroyed) return
    this.stats.bytesToClients += chunk.length
    link.client.write(chunk)
  }

  private endClientWhenFlushed(link: Link): void {
    if (link.upstreamEnded && link.delayed.length === 0 && !link.client.destroyed) link.client.end()
  }

  private applyReading(link: Link): void {
    if (this.faults.stopReading) link.client.pause()
    else link.client.resume()
  }

  private resetLink(link: Link): void {
    if (!this.links.has(link)) return
    this.stats.reset++
    if (!link.client.destroyed) link.client.resetAndDestroy()
    if (link.upstream !== undefined && !link.upstream.destroyed) link.upstream.resetAndDestroy()
    this.dropLink(link)
  }

  private dropLink(link: Link): void {
    if (!this.links.delete(link)) return
    clearTimeout(link.timer)
    link.timer = undefined
    link.delayed = []
    link.client.destroy()
    link.upstream?.destroy()
  }
}

/** Starts a proxy on 127.0.0.1 in front of `target`. */
export function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  return TcpProxy.start(options)
}
