/**
 * fd_* (layer: syscalls; preview 1 "File descriptors"). Decodes guest
 * arguments, checks rights through the descriptor table, and calls the
 * resource.
 */
import { Errno, WasiError } from '../../abi/errno.js';
import {
  Advice, FDFLAGS_ALL, FileType, FstFlags, FSTFLAGS_ALL, RIGHTS_DIRECTORY, RIGHTS_FILE, Rights, Whence,
} from '../../abi/constants.js';
import { DIRENT, FDSTAT, FILESTAT, PRESTAT } from '../../abi/layouts.js';
import type { GuestMemory } from '../../abi/memory.js';
import { encodeUtf8 } from '../../abi/memory.js';
import { i64Big, u64Number, u64Safe } from '../../abi/signatures.js';
import type { DirEntry, FileStat, TimeSpec } from '../../host/fs/types.js';
import { DirectoryResource } from '../../kernel/directory-resource.js';
import type { Descriptor } from '../../kernel/fd-table.js';
import { FileResource } from '../../kernel/file-resource.js';
import { blockingIo, writeAll } from '../blocking-io.js';
import { rightsFromAbi, syscall, writeSyscall, type SyscallContext } from '../context.js';

export function writeFilestat(m: GuestMemory, ptr: number, s: FileStat): void {
  const p = m.check(ptr, FILESTAT.size);
  // Both ways store each value modulo 2^64: a time before 1970 is written as its two's complement.
  const u64 = (p & 7) === 0 ? m.u64s : undefined;
  if (u64 !== undefined) {
    const i = p >>> 3;
    u64[i + FILESTAT.dev / 8] = s.dev;
    u64[i + FILESTAT.ino / 8] = s.ino;
    u64[i + FILESTAT.nlink / 8] = s.nlink;
    u64[i + FILESTAT.fileSize / 8] = s.size;
    u64[i + FILESTAT.atim / 8] = s.atim;
    u64[i + FILESTAT.mtim / 8] = s.mtim;
    u64[i + FILESTAT.ctim / 8] = s.ctim;
    m.bytes[p + FILESTAT.filetype] = s.filetype;
    return;
  }
  const v = m.view;
  v.setBigUint64(p + FILESTAT.dev, s.dev, true);
  v.setBigUint64(p + FILESTAT.ino, s.ino, true);
  v.setUint8(p + FILESTAT.filetype, s.filetype);
  v.setBigUint64(p + FILESTAT.nlink, s.nlink, true);
  v.setBigUint64(p + FILESTAT.fileSize, s.size, true);
  v.setBigUint64(p + FILESTAT.atim, s.atim, true);
  v.setBigUint64(p + FILESTAT.mtim, s.mtim, true);
  v.setBigUint64(p + FILESTAT.ctim, s.ctim, true);
}

/**
 * Decodes fst_flags into the two times to set (each a split u64: low and
 * high halves); conflicting or unknown flags are EINVAL.
 */
export function timesFromFlags(atimLo: number, atimHi: number, mtimLo: number, mtimHi: number, flags: number): [TimeSpec, TimeSpec] {
  if ((flags & ~FSTFLAGS_ALL) !== 0) throw new WasiError(Errno.INVAL);
  if ((flags & FstFlags.ATIM) && (flags & FstFlags.ATIM_NOW)) throw new WasiError(Errno.INVAL);
  if ((flags & FstFlags.MTIM) && (flags & FstFlags.MTIM_NOW)) throw new WasiError(Errno.INVAL);
  const a: TimeSpec = flags & FstFlags.ATIM_NOW ? 'now' : flags & FstFlags.ATIM ? BigInt.asUintN(64, i64Big(atimLo, atimHi)) : null;
  const mt: TimeSpec = flags & FstFlags.MTIM_NOW ? 'now' : flags & FstFlags.MTIM ? BigInt.asUintN(64, i64Big(mtimLo, mtimHi)) : null;
  return [a, mt];
}

/**
 * pread/pwrite also need FD_SEEK on a file; on a stream there is nothing to
 * seek and the resource answers ESPIPE itself.
 */
function seekable(d: Descriptor): Descriptor {
  if (d.resource instanceof FileResource && (d.rightsBase & Rights.FD_SEEK) === 0) throw new WasiError(Errno.NOTCAPABLE);
  return d;
}

/** A filesize argument (split: low and high halves) as a safe JS number; larger values cannot exist in a JS host. */
function fileOffset(lo: number, hi: number): number {
  if (!u64Safe(hi)) throw new WasiError(Errno.FBIG);
  return u64Number(lo, hi);
}

/** Scratch space for one dirent header (the last entry may be cut short, so it is built aside). */
const header = new DataView(new ArrayBuffer(DIRENT.size));
const headerBytes = new Uint8Array(header.buffer);

/**
 * Writes dirents from `entries[first]` on into the guest buffer at `base`
 * (checked, `len` bytes) until it is full, the last one cut short as the
 * ABI has it; returns the bytes used. An entry that fits with an ASCII
 * name is written in place, without encoding its name into a new array.
 */
function writeDirents(m: GuestMemory, base: number, len: number, entries: readonly DirEntry[], first: number): number {
  const bytes = m.bytes;
  const view = m.view;
  let used = 0;
  for (let i = first; i < entries.length && used < len; i++) {
    const e = entries[i]!;
    const name = e.name;
    const at = base + used;
    if (used + DIRENT.size + name.length <= len) {
      const nameAt = at + DIRENT.size;
      let k = 0;
      for (; k < name.length; k++) {
        const c = name.charCodeAt(k);
        if (c >= 0x80) break;
        bytes[nameAt + k] = c;
      }
      if (k === name.length) {
        view.setUint32(at + DIRENT.next, i + 1, true);
        view.setUint32(at + DIRENT.next + 4, 0, true);
        view.setBigUint64(at + DIRENT.ino, e.ino, true);
        view.setUint32(at + DIRENT.namlen, k, true);
        view.setUint32(at + DIRENT.type, e.filetype, true); // the type byte and three zero bytes of padding
        used += DIRENT.size + k;
        continue;
      }
    }
    const encoded = encodeUtf8(name);
    header.setBigUint64(DIRENT.next, BigInt(i + 1), true);
    header.setBigUint64(DIRENT.ino, e.ino, true);
    header.setUint32(DIRENT.namlen, encoded.byteLength, true);
    header.setUint8(DIRENT.type, e.filetype);
    const h = Math.min(DIRENT.size, len - used);
    bytes.set(headerBytes.subarray(0, h), base + used);
    used += h;
    const n = Math.min(encoded.byteLength, len - used);
    bytes.set(encoded.subarray(0, n), base + used);
    used += n;
  }
  return used;
}

export function fdSyscalls(ctx: SyscallContext) {
  const fds = ctx.process.fds;
  const encodedPreopenNames = new WeakMap<DirectoryResource, Uint8Array>();
  const preopenName = (fd: number): Uint8Array => {
    const r = fds.get(fd).resource;
    if (!(r instanceof DirectoryResource) || r.preopenPath === undefined) throw new WasiError(Errno.BADF);
    let name = encodedPreopenNames.get(r);
    if (name === undefined) {
      name = encodeUtf8(r.preopenPath);
      encodedPreopenNames.set(r, name);
    }
    return name;
  };

  /**
   * A descriptor for fd_seek/fd_tell: only a file has an offset, so its
   * rights are checked; a stream answers ESPIPE and a directory EBADF from
   * the resource itself, as on POSIX.
   */
  const positioned = (fd: number, rights: number): Descriptor => {
    const d = fds.get(fd);
    return d.resource instanceof FileResource ? fds.get(fd, rights) : d;
  };

  return {
    fd_advise: syscall((fd: number, offsetLo: number, offsetHi: number, lenLo: number, lenHi: number, advice: number): number => {
      const d = fds.get(fd, Rights.FD_ADVISE);
      if (advice < Advice.NORMAL || advice > Advice.NOREUSE) return Errno.INVAL;
      d.resource.advise(BigInt.asUintN(64, i64Big(offsetLo, offsetHi)), BigInt.asUintN(64, i64Big(lenLo, lenHi)), advice);
      return Errno.SUCCESS;
    }),

    fd_allocate: syscall((fd: number, offsetLo: number, offsetHi: number, lenLo: number, lenHi: number): number => {
      const d = fds.get(fd, Rights.FD_ALLOCATE);
      const o = fileOffset(offsetLo, offsetHi);
      const l = fileOffset(lenLo, lenHi);
      if (o + l > Number.MAX_SAFE_INTEGER) return Errno.FBIG;
      d.resource.allocate(o, l);
      return Errno.SUCCESS;
    }),

    fd_close: syscall((fd: number): number => {
      fds.close(fd);
      return Errno.SUCCESS;
    }),

    fd_datasync: syscall((fd: number): number => {
      fds.get(fd, Rights.FD_DATASYNC).resource.datasync();
      return Errno.SUCCESS;
    }),

    fd_fdstat_get: syscall((fd: number, out: number): number => {
      const d = fds.get(fd);
      const m = ctx.memory;
      m.check(out, FDSTAT.size);
      const p = out >>> 0;
      const v = m.view;
      v.setUint8(p + FDSTAT.filetype, d.resource.filetype);
      v.setUint8(p + 1, 0);
      v.setUint16(p + FDSTAT.flags, d.resource.fdflags, true);
      v.setUint32(p + 4, 0, true);
      v.setBigUint64(p + FDSTAT.rightsBase, BigInt(d.rightsBase), true);
      v.setBigUint64(p + FDSTAT.rightsInheriting, BigInt(d.rightsInheriting), true);
      return Errno.SUCCESS;
    }),

    fd_fdstat_set_flags: syscall((fd: number, flags: number): number => {
      const d = fds.get(fd, Rights.FD_FDSTAT_SET_FLAGS);
      if ((flags & ~FDFLAGS_ALL) !== 0) return Errno.INVAL;
      d.resource.setFdflags(flags);
      return Errno.SUCCESS;
    }),

    fd_fdstat_set_rights: syscall((fd: number, baseLo: number, baseHi: number, inheritingLo: number, inheritingHi: number): number => {
      const d = fds.get(fd);
      const b = rightsFromAbi(baseLo, baseHi);
      const i = rightsFromAbi(inheritingLo, inheritingHi);
      if (b === null || i === null) return Errno.NOTCAPABLE;
      if ((b & ~d.rightsBase) !== 0 || (i & ~d.rightsInheriting) !== 0) return Errno.NOTCAPABLE;
      d.rightsBase = b;
      d.rightsInheriting = i;
      return Errno.SUCCESS;
    }),

    fd_filestat_get: syscall((fd: number, out: number): number => {
      const d = fds.get(fd, Rights.FD_FILESTAT_GET);
      ctx.memory.check(out, FILESTAT.size);
      writeFilestat(ctx.memory, out, d.resource.stat());
      return Errno.SUCCESS;
    }),

    fd_filestat_set_size: syscall((fd: number, sizeLo: number, sizeHi: number): number => {
      const d = fds.get(fd, Rights.FD_FILESTAT_SET_SIZE);
      d.resource.setSize(fileOffset(sizeLo, sizeHi));
      return Errno.SUCCESS;
    }),

    fd_filestat_set_times: syscall((fd: number, atimLo: number, atimHi: number, mtimLo: number, mtimHi: number, flags: number): number => {
      const d = fds.get(fd, Rights.FD_FILESTAT_SET_TIMES);
      const [a, mt] = timesFromFlags(atimLo, atimHi, mtimLo, mtimHi, flags);
      d.resource.setTimes(a, mt);
      return Errno.SUCCESS;
    }),

    fd_pread: syscall((fd: number, iovs: number, iovsLen: number, offsetLo: number, offsetHi: number, nreadOut: number): number => {
      const d = seekable(fds.get(fd, Rights.FD_READ, Errno.BADF));
      const m = ctx.memory;
      m.check(nreadOut, m.sizeBytes);
      const n = d.resource.pread(m.iovecs(iovs, iovsLen), fileOffset(offsetLo, offsetHi));
      m.setSize(nreadOut, n);
      return Errno.SUCCESS;
    }),

    fd_prestat_get: syscall((fd: number, out: number): number => {
      const name = preopenName(fd);
      const m = ctx.memory;
      // A 64-bit guest's prestat holds its name length as a u64 at 8 (16 bytes in all).
      const width = m.sizeBytes;
      m.check(out, PRESTAT.size * (width / 4));
      m.setSize(out + PRESTAT.tag, 0); // tag DIR, with padding cleared
      m.setSize(out + PRESTAT.nameLen * (width / 4), name.byteLength);
      return Errno.SUCCESS;
    }),

    fd_prestat_dir_name: syscall((fd: number, path: number, pathLen: number): number => {
      const name = preopenName(fd);
      if ((pathLen >>> 0) < name.byteLength) return Errno.NAMETOOLONG;
      ctx.memory.write(path, name);
      return Errno.SUCCESS;
    }),

    fd_pwrite: syscall((fd: number, iovs: number, iovsLen: number, offsetLo: number, offsetHi: number, nwrittenOut: number): number => {
      const d = seekable(fds.get(fd, Rights.FD_WRITE, Errno.BADF));
      const m = ctx.memory;
      m.check(nwrittenOut, m.sizeBytes);
      const n = d.resource.pwrite(m.iovecs(iovs, iovsLen), fileOffset(offsetLo, offsetHi));
      m.setSize(nwrittenOut, n);
      return Errno.SUCCESS;
    }),

    fd_read: syscall((fd: number, iovs: number, iovsLen: number, nreadOut: number): number => {
      const d = fds.get(fd, Rights.FD_READ, Errno.BADF);
      const m = ctx.memory;
      m.check(nreadOut, m.sizeBytes);
      const r = d.resource;
      // Streams and sockets answer EAGAIN until input arrives; files never do.
      return blockingIo(ctx, r, () => {
        const mem = ctx.memory;
        const n = r.read(mem.iovecs(iovs, iovsLen));
        mem.setSize(nreadOut, n);
        return Errno.SUCCESS;
      });
    }),

    fd_readdir: syscall((fd: number, buf: number, bufLen: number, cookieLo: number, cookieHi: number, bufusedOut: number): number => {
      const d = fds.get(fd, Rights.FD_READDIR);
      if (!(d.resource instanceof DirectoryResource)) return Errno.NOTDIR;
      const m = ctx.memory;
      m.check(bufusedOut, m.sizeBytes);
      const base = m.check(buf, bufLen);
      // A cookie is the index of the next entry; one of 2^32 or more is past any listing.
      const cookie = cookieHi === 0 ? cookieLo >>> 0 : Infinity;
      const entries = d.resource.entriesFrom(cookie);
      const used = writeDirents(m, base, bufLen >>> 0, entries, Math.min(cookie, entries.length));
      m.setSize(bufusedOut, used);
      return Errno.SUCCESS;
    }),

    fd_renumber: syscall((fd: number, to: number): number => {
      fds.renumber(fd, to);
      return Errno.SUCCESS;
    }),

    fd_seek: syscall((fd: number, offsetLo: number, offsetHi: number, whence: number, newOffsetOut: number): number => {
      const zero = offsetLo === 0 && offsetHi === 0;
      const d = positioned(fd, zero && whence === Whence.CUR ? Rights.FD_TELL : Rights.FD_SEEK);
      if (whence !== Whence.SET && whence !== Whence.CUR && whence !== Whence.END) return Errno.INVAL;
      const m = ctx.memory;
      m.check(newOffsetOut, 8);
      m.setU64(newOffsetOut, d.resource.seek(zero ? 0n : i64Big(offsetLo, offsetHi), whence));
      return Errno.SUCCESS;
    }),

    fd_sync: syscall((fd: number): number => {
      fds.get(fd, Rights.FD_SYNC).resource.sync();
      return Errno.SUCCESS;
    }),

    fd_tell: syscall((fd: number, out: number): number => {
      const d = positioned(fd, Rights.FD_TELL);
      const m = ctx.memory;
      m.check(out, 8);
      m.setU64(out, d.resource.tell());
      return Errno.SUCCESS;
    }),

    fd_write: writeSyscall((fd: number, iovs: number, iovsLen: number, nwrittenOut: number): number => {
      const d = fds.get(fd, Rights.FD_WRITE, Errno.BADF);
      const m = ctx.memory;
      m.check(nwrittenOut, m.sizeBytes);
      // A pipe's or socket's write never waits; a blocking fd_write does (blocking-io.ts).
      if (d.resource.waitsForRoom) return writeAll(ctx, d.resource, iovs, iovsLen, nwrittenOut);
      const n = d.resource.write(m.iovecs(iovs, iovsLen));
      m.setSize(nwrittenOut, n);
      return Errno.SUCCESS;
    }),
  };
}

/** Rights a new descriptor of `filetype` can hold at most. */
export function applicableRights(filetype: FileType): number {
  return filetype === FileType.DIRECTORY ? RIGHTS_DIRECTORY : RIGHTS_FILE;
}
