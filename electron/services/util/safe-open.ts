/**
 * The one way services and commands open a file a user (or a project, or a pack) names. A hostile path can be
 * a FIFO (an open blocks until someone writes), a device (reads never end), a symlink out of the folder it
 * should stay in, or a file far too big to read whole. So, in this order and before any byte is read:
 *   1. resolve symlinks (realpath) and, when a root is given, require the real path inside the real root;
 *   2. stat the real path: only a regular file goes on (a FIFO or device is never opened at all);
 *   3. check the size limits;
 *   4. open with O_NONBLOCK | O_NOFOLLOW (a FIFO swapped in after step 2 cannot block the open, a symlink
 *      swapped in is refused) and fstat the opened descriptor: still a regular file, same inode.
 * Errors are StudioErrors with a named code per kind (callers may rename them to their domain's codes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '../../shared/result';

export type FileProblem = 'notFound' | 'notAFile' | 'outsideRoot' | 'tooLarge' | 'empty' | 'unreadable';

export const FileErrorCodes: Record<FileProblem, string> = {
  notFound: 'FILE_NOT_FOUND',
  notAFile: 'FILE_NOT_REGULAR',
  outsideRoot: 'FILE_OUTSIDE_ROOT',
  tooLarge: 'FILE_TOO_LARGE',
  empty: 'FILE_EMPTY',
  unreadable: 'FILE_UNREADABLE',
};

export interface SafeOpenOptions {
  /** The folder the file must stay in after resolving symlinks (the project, the pack, the frames folder). */
  root?: string;
  /** Refuse files larger than this many bytes (checked before reading). */
  maxBytes?: number;
  /** Refuse empty files (default false). */
  refuseEmpty?: boolean;
  /** How the file is called in messages (default: its base name). */
  label?: string;
  /** The caller's own error codes per problem (default FileErrorCodes). */
  codes?: Partial<Record<FileProblem, string>>;
}

export interface OpenedFile {
  handle: fs.promises.FileHandle;
  /** Real path (symlinks resolved). */
  path: string;
  size: number;
  stat: fs.Stats;
}

export const isInside = (root: string, p: string): boolean => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NOCTTY = fs.constants.O_NOCTTY ?? 0;

function failWith(options: SafeOpenOptions, problem: FileProblem, message: string): never {
  throw new StudioError(options.codes?.[problem] ?? FileErrorCodes[problem], message);
}

/** Real path of `file` checked against the options (steps 1-3); opens nothing. */
export async function checkRegularFile(file: string, options: SafeOpenOptions = {}): Promise<{ path: string; stat: fs.Stats }> {
  const label = options.label ?? path.basename(String(file));
  if (typeof file !== 'string' || !file || file.includes('\0')) failWith(options, 'notFound', `${label || 'The file'} is not a valid file name.`);
  const abs = path.resolve(file);
  let real: string;
  try {
    real = await fs.promises.realpath(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') failWith(options, 'notFound', `${label} is a symlink loop.`);
    if (code === 'EACCES') failWith(options, 'unreadable', `${label} cannot be read (permission denied).`);
    failWith(options, 'notFound', `${label} does not exist or cannot be read.`);
  }
  if (options.root !== undefined) {
    let realRoot: string;
    try {
      realRoot = await fs.promises.realpath(path.resolve(options.root));
    } catch {
      failWith(options, 'notFound', `The folder of ${label} does not exist.`);
    }
    if (!isInside(realRoot, real) || real === realRoot) failWith(options, 'outsideRoot', `${label} leads outside its folder (a symlink to another place); it is not read.`);
  }
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(real);
  } catch {
    failWith(options, 'notFound', `${label} does not exist or cannot be read.`);
  }
  if (!stat.isFile()) {
    const what = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a pipe (FIFO)' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
    failWith(options, 'notAFile', `${label} is ${what}, not a regular file.`);
  }
  if (options.refuseEmpty && stat.size === 0) failWith(options, 'empty', `${label} is empty (0 bytes).`);
  if (options.maxBytes !== undefined && stat.size > options.maxBytes) failWith(options, 'tooLarge', `${label} is ${stat.size} bytes; at most ${options.maxBytes} are read.`);
  return { path: real, stat };
}

/** Opens a regular file for reading (steps 1-4). The caller closes `handle`. */
export async function openRegularFile(file: string, options: SafeOpenOptions = {}): Promise<OpenedFile> {
  const label = options.label ?? path.basename(String(file));
  const checked = await checkRegularFile(file, options);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(checked.path, fs.constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') failWith(options, 'notFound', `${label} does not exist or cannot be read.`);
    if (code === 'ELOOP') failWith(options, 'outsideRoot', `${label} was replaced by a symlink while being opened; it is not read.`);
    failWith(options, 'unreadable', `${label} cannot be opened (${code ?? 'error'}).`);
  }
  try {
    const stat = await handle.stat();
    // Swapped between the checks and the open: judge what was really opened.
    if (!stat.isFile() || stat.ino !== checked.stat.ino || stat.dev !== checked.stat.dev) failWith(options, 'notAFile', `${label} changed while being opened; it is not read.`);
    if (options.refuseEmpty && stat.size === 0) failWith(options, 'empty', `${label} is empty (0 bytes).`);
    if (options.maxBytes !== undefined && stat.size > options.maxBytes) failWith(options, 'tooLarge', `${label} is ${stat.size} bytes; at most ${options.maxBytes} are read.`);
    return { handle, path: checked.path, size: stat.size, stat };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** Reads a whole regular file (size limits checked before reading; never more than `maxBytes`). */
export async function readRegularFile(file: string, options: SafeOpenOptions = {}): Promise<{ bytes: Buffer; path: string }> {
  const opened = await openRegularFile(file, options);
  try {
    const cap = options.maxBytes ?? opened.size;
    const bytes = Buffer.allocUnsafe(Math.min(opened.size, cap));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await opened.handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), path: opened.path };
  } catch (error) {
    if (error instanceof StudioError) throw error;
    const label = options.label ?? path.basename(file);
    return failWith(options, 'unreadable', `${label} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  } finally {
    await opened.handle.close().catch(() => {});
  }
}

/** Reads a whole regular file as UTF-8 text. */
export async function readRegularText(file: string, options: SafeOpenOptions = {}): Promise<{ text: string; path: string }> {
  const { bytes, path: real } = await readRegularFile(file, options);
  return { text: bytes.toString('utf8'), path: real };
}
