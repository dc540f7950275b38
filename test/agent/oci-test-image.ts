import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { fixtureServer } from './helpers.ts';

const run = promisify(execFile);

/** The image config (podman import --change): one ENV per variable (podman keeps a multi-pair ENV as one). */
const imageChanges = ['ENTRYPOINT ["/usr/bin/node"]', 'CMD ["/app/server.mjs"]', 'WORKDIR /app', 'ENV GREETING=from-the-image', 'ENV PATH=/usr/bin:/bin'];

/** Programs copied into the image with their libraries: node for the fixture server, a shell and tools for exec. */
const programs = ['/bin/sh', '/bin/cat', '/bin/sleep', '/bin/ls', '/bin/mkdir', '/usr/bin/printenv', '/usr/bin/tr', '/usr/bin/head', '/usr/bin/tail', '/usr/bin/id', '/bin/hostname'];

/**
 * A real image in podman's local store, built without any registry: a root filesystem of the
 * host's node, a shell and a few tools with their shared libraries, and the fixture HTTP server as
 * its CMD (`podman import` of a tarball). Tagged by a hash of what goes in, so a machine builds it
 * once.
 */
export async function buildTestImage(podman: string): Promise<string> {
  const nodeBinary = await realpath(process.execPath);
  const fixture = await readFile(fixtureServer, 'utf8');
  const tag = createHash('sha256').update(`${process.version}\n${nodeBinary}\n${programs.join(',')}\n${imageChanges.join(',')}\n${fixture}`).digest('hex').slice(0, 12);
  const reference = `localhost/flotilla-test:${tag}`;
  if ((await run(podman, ['image', 'exists', reference]).then(() => true, () => false))) return reference;
  const root = await mkdtemp(join(tmpdir(), 'flotilla-image-'));
  try {
    const rootfs = join(root, 'rootfs');
    for (const directory of ['app', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'usr/bin']) await mkdir(join(rootfs, directory), { recursive: true });
    await chmod(join(rootfs, 'tmp'), 0o1777);
    await copyWithLibraries(nodeBinary, '/usr/bin/node', rootfs);
    for (const program of programs) await copyWithLibraries(await realpath(program), program, rootfs);
    await writeFile(join(rootfs, 'app', 'server.mjs'), fixture);
    await writeFile(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n');
    await writeFile(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    await importTarball(podman, rootfs, reference);
    return reference;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function copyWithLibraries(source: string, destination: string, rootfs: string): Promise<void> {
  await copyInto(source, destination, rootfs);
  const { stdout } = await run('ldd', [source]).catch(() => ({ stdout: '' }));
  for (const match of stdout.matchAll(/(\/[^\s)]+)/g)) {
    const library = match[1];
    if (library !== undefined) await copyInto(await realpath(library), library, rootfs);
  }
}

async function copyInto(source: string, destination: string, rootfs: string): Promise<void> {
  const target = join(rootfs, destination);
  await mkdir(dirname(target), { recursive: true });
  await copyFile(source, target);
  await chmod(target, 0o755);
}

async function importTarball(podman: string, rootfs: string, reference: string): Promise<void> {
  const changes = imageChanges;
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-C', rootfs, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const importer = spawn(podman, ['import', ...changes.flatMap((change) => ['--change', change]), '-', reference], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    importer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    tar.stdout.pipe(importer.stdin);
    importer.once('error', reject);
    importer.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`podman import failed (${code}): ${stderr}`))));
  });
}
