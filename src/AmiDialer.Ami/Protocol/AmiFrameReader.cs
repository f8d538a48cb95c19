using System.Buffers;
using System.Net.Sockets;

namespace AmiDialer.Ami;

/// <summary>
/// Reads whole frames from a socket with an <see cref="AmiParser"/>, into a buffer that grows to hold the longest
/// frame: for the peers that read AMI without the client's pipeline (the simulator, test servers). Frames own their
/// text, so one read earlier stays valid after later reads.
/// </summary>
public sealed class AmiFrameReader(Socket socket, AmiParser parser, int initialBufferBytes = 16 * 1024)
{
    private byte[] _buffer = new byte[initialBufferBytes];
    private int _filled;
    private int _consumed;

    /// <summary>The next frame; null when the peer closed its side.</summary>
    public async ValueTask<AmiFrame?> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (TryParseBuffered(out var frame))
            {
                return frame;
            }

            if (_consumed > 0)
            {
                Buffer.BlockCopy(_buffer, _consumed, _buffer, 0, _filled - _consumed);
                _filled -= _consumed;
                _consumed = 0;
            }

            if (_filled == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = await socket.ReceiveAsync(_buffer.AsMemory(_filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            _filled += read;
        }
    }

    private bool TryParseBuffered(out AmiFrame frame)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(_buffer, _consumed, _filled - _consumed));
        // A partial frame is consumed too: the parser keeps its state and resumes with the next bytes.
        var parsed = parser.TryParse(ref reader, out frame);
        _consumed += (int)reader.Consumed;
        return parsed;
    }
}
