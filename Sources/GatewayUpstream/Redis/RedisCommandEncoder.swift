import CHiredis
import NIOCore

/// Encodes commands as RESP arrays of bulk strings with hiredis' `redisFormatCommandArgv`.
enum RedisCommandEncoder {
    /// Appends the RESP encoding of `arguments` (command name first) to `buffer`.
    static func encode(_ arguments: [String], into buffer: inout ByteBuffer) {
        // All arguments in one contiguous block, each argv pointer an offset into it.
        var bytes: [UInt8] = []
        var offsets: [Int] = []
        var lengths: [Int] = []
        for argument in arguments {
            offsets.append(bytes.count)
            bytes.append(contentsOf: argument.utf8)
            lengths.append(argument.utf8.count)
        }
        bytes.append(0)  // a valid pointer even when every argument is empty
        bytes.withUnsafeBufferPointer { block in
            let base = UnsafeRawPointer(block.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            var command: UnsafeMutablePointer<CChar>? = nil
            let length = argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    redisFormatCommandArgv(&command, Int32(arguments.count), argvBuffer.baseAddress, lengthBuffer.baseAddress)
                }
            }
            guard let command, length > 0 else { return }
            defer { redisFreeCommand(command) }
            buffer.writeBytes(UnsafeRawBufferPointer(start: command, count: Int(length)))
        }
    }
}
