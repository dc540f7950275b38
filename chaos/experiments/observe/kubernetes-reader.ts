import { request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

/** The largest API answer read (a pod list of a small cluster is far below it). */
const responseBytesMax = 16 * 1024 * 1024;

/**
 * GETs of the Kubernetes API with the kubeconfig's credentials, one request per call with the
 * caller's abort signal, so a hung API server costs a timeout, never a pile of open requests.
 */
export class KubernetesReader {
  private constructor(private readonly server: URL, private readonly options: RequestOptions) {}

  static async fromKubeconfig(path: string): Promise<KubernetesReader> {
    const config = new KubeConfig();
    config.loadFromFile(path);
    const cluster = config.getCurrentCluster();
    if (cluster === null) throw new Error(`${path} has no current cluster`);
    const options: RequestOptions = {};
    await config.applyToHTTPSOptions(options);
    return new KubernetesReader(new URL(cluster.server), options);
  }

  /** The parsed JSON body of a 200 answer; throws `status N` otherwise. */
  getJson(path: string, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, this.server);
      const call = request(url, { ...this.options, method: 'GET', signal, agent: false, headers: { ...this.options.headers, accept: 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > responseBytesMax) response.destroy(new Error(`answer larger than ${responseBytesMax} bytes`));
          else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          if (response.statusCode !== 200) return reject(new Error(`status ${response.statusCode ?? 0} for ${url.pathname}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      call.on('error', reject);
      call.end();
    });
  }
}
