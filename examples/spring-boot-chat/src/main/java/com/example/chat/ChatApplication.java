package com.example.chat;

import dev.tok.api.Actor;
import dev.tok.api.Authenticator;
import dev.tok.api.CloseHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A chat server as a Spring Boot application: tok-spring-boot-starter builds the server from
 * {@code application.properties} (TCP on 9000, WebSocket on 8081) and these beans, starts it with
 * the application and closes it gracefully on shutdown.
 */
@SpringBootApplication
public class ChatApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ChatApplication.class);

    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }

    // tag::beans[]
    @Bean
    Authenticator authenticator() {      // the token is the uid: TCP's first frame, WebSocket's ?token=
        return new TokenAuthenticator();
    }

    @Bean
    Actor actor() {                      // every inbound frame, on the hub's actor threads
        return new ChatActor();
    }

    @Bean
    CloseHook closeHook() {              // any hook the hub takes is picked up the same way
        return (device, reason) -> LOG.info("{} left: {}", device, reason);
    }
    // end::beans[]
}
