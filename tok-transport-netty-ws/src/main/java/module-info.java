module dev.tok.transport.netty.ws { requires dev.tok.api; }
