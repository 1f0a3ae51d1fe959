// Free loopback ports, found by binding port 0 and reading back what the kernel chose. All sockets of
// one call stay open until every port is known, so one call never returns the same port twice.

import { createServer, type Server } from 'node:net'

export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = []
  try {
    const ports: number[] = []
    for (let i = 0; i < count; i++) {
      const server = createServer()
      servers.push(server)
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject)
          server.listen({ port: 0, host, exclusive: true }, () => {
            const address = server.address()
            if (address && typeof address === 'object') resolve(address.port)
            else reject(new Error('listening socket has no port'))
          })
        }),
      )
    }
    return ports
  } finally {
    await Promise.all(
      servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))),
    )
  }
}
